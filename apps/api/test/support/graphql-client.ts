import { expect } from "vitest";

export interface GraphQLErrorShape {
  message: string;
  extensions: { code: string; reason: string; details?: Record<string, unknown> };
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors: GraphQLErrorShape[] | undefined;
}

/** A GraphQL-over-HTTP client bound to one server and one token (or none). */
export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly token: string | null,
  ) {}

  withToken(token: string | null): GraphQLClient {
    return new GraphQLClient(this.url, token);
  }

  async request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLErrorShape[] };
    return { status: response.status, data: body.data, errors: body.errors };
  }

  /** Runs an operation that must succeed and returns its data. */
  async ok<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request<T>(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result.data as T;
  }

  /** Runs an operation that must fail with exactly this code and reason; returns the error. */
  async fails(query: string, variables: Record<string, unknown>, code: string, reason: string): Promise<GraphQLErrorShape> {
    const result = await this.request(query, variables);
    expect(result.errors, `expected ${code}/${reason}, got data ${JSON.stringify(result.data)}`).toBeDefined();
    const error = result.errors![0]!;
    expect({ code: error.extensions.code, reason: error.extensions.reason }, error.message).toEqual({ code, reason });
    return error;
  }
}
