import { ApiError, ApiUnreachableError } from "./api-error";
import { describeError } from "./describe-error";

/** A GraphQL document with the types of its variables and result, checked where it is called. */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly document: string;
  /** Never set: carries the types only. */
  readonly __types?: { data: TData; variables: TVariables };
}

export function defineOperation<TData, TVariables>(name: string, document: string): Operation<TData, TVariables> {
  return { name, document };
}

export interface RequestOptions {
  /** Default 30 s; a long-poll passes its wait plus a margin. */
  timeoutMs?: number;
  /** Aborting (shutdown) rejects with the signal's reason, not as "unreachable". */
  signal?: AbortSignal;
}

interface GraphQLErrorBody {
  message?: string;
  extensions?: { code?: string; reason?: string; details?: Record<string, unknown> };
}

/** GraphQL over HTTP with fetch: one POST per operation, a bearer token, typed results. */
export class GraphQLClient {
  readonly endpoint: string;
  /** The API's base URL, without a trailing slash: the plain HTTP routes (blobs) hang off it. */
  readonly apiUrl: string;

  constructor(
    apiUrl: string,
    private readonly token: string,
    private readonly defaultTimeoutMs = 30_000,
  ) {
    this.apiUrl = apiUrl.replace(/\/+$/, "");
    this.endpoint = `${this.apiUrl}/graphql`;
  }

  /** The Authorization header value every call carries (the blob routes take the same token). */
  authorization(): string {
    return `Bearer ${this.token}`;
  }

  async request<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, options: RequestOptions = {}): Promise<TData> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.defaultTimeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: this.authorization() },
        body: JSON.stringify({ operationName: operation.name, query: operation.document, variables }),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new ApiUnreachableError(`${operation.name}: cannot reach ${this.apiUrl}: ${timeout.aborted ? "timed out" : describeError(error)}`, { cause: error });
    }
    return this.interpret(operation.name, status, text);
  }

  private interpret<TData>(name: string, status: number, text: string): TData {
    let body: { data?: TData | null; errors?: GraphQLErrorBody[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    const first = body?.errors?.[0];
    if (first) {
      const extensions = first.extensions ?? {};
      const code = extensions.code ?? (status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_RESPONSE");
      const apiMessage = first.message ?? code;
      throw new ApiError(`${name}: ${apiMessage}`, code, extensions.reason ?? code, extensions.details ?? {}, status, apiMessage);
    }
    // A gateway's 502/503/504 page, an overloaded server: the API may come back.
    if (status >= 500 || status === 429 || status === 408) throw new ApiUnreachableError(`${name}: ${this.endpoint} answered HTTP ${status}`);
    if (!body?.data) throw new ApiError(`${name}: HTTP ${status} without GraphQL data (is ${this.endpoint} a Distillery API?)`, "BAD_RESPONSE", "BAD_RESPONSE", {}, status);
    return body.data;
  }
}
