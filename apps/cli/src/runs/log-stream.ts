import { type Client, createClient } from "graphql-ws/client";
import WebSocket from "ws";
import { ApiError } from "@distillery/client";
import { CliError, ExitCode } from "../cli/exit-codes";

/** A ping every this often keeps proxies from closing an idle stream and shows a dead one. */
const KEEP_ALIVE_MS = 10_000;
/** No pong this long after a ping: the connection is gone even if no close came (a laptop slept). */
const PONG_TIMEOUT_MS = 10_000;
/** Reconnecting stops when no connection succeeded for this long: the API is down, not blipping. */
const GIVE_UP_AFTER_MS = 120_000;

const RUN_LOGS = `subscription RunLogs($run: ID!, $offset: SafeInt!) { runLogs(run: $run, offset: $offset) { offset text nextOffset } }`;

interface LogSlice {
  offset: number;
  text: string;
  nextOffset: number;
}

export interface FollowOptions {
  apiUrl: string;
  /** The Authorization header value, sent as the connection's params. */
  authorization: string;
  runId: string;
  /** The UTF-8 byte offset to start from. */
  offset: number;
  onSlice(slice: LogSlice): void;
  /** One line for the user when the connection drops and is being restored. */
  notice(line: string): void;
}

/**
 * Follows a run's log through Subscription.runLogs until the API completes it (the run finished
 * and all of its log was sent); resolves with the offset after the last byte. A dropped connection
 * is restored, subscribing again from the last byte received, so nothing is printed twice or
 * skipped. GraphQL errors (RUN_NOT_FOUND) and refused tokens are not retried.
 */
export async function followRunLog(options: FollowOptions): Promise<number> {
  let offset = options.offset;
  let attempt = 0;
  let failingSince: number | undefined;
  for (;;) {
    const client = logClient(options, () => {
      attempt = 0;
      failingSince = undefined;
    });
    try {
      await subscribeOnce(client, { run: options.runId, offset }, (slice) => {
        options.onSlice(slice);
        offset = slice.nextOffset;
      });
      return offset;
    } catch (error) {
      const problem = retryableProblem(error);
      failingSince ??= Date.now();
      if (Date.now() - failingSince > GIVE_UP_AFTER_MS) {
        throw new CliError(`lost the log stream from ${options.apiUrl} (${problem}) and could not reconnect for ${GIVE_UP_AFTER_MS / 1000} s`, ExitCode.UNREACHABLE);
      }
      if (attempt === 0) options.notice(`the log stream dropped (${problem}); reconnecting and continuing from byte ${offset}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
      attempt += 1;
    } finally {
      void client.dispose();
    }
  }
}

function logClient(options: FollowOptions, onConnected: () => void): Client {
  let pongTimer: NodeJS.Timeout | undefined;
  const client: Client = createClient({
    url: `${options.apiUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: options.authorization },
    // Reconnecting is ours to do: graphql-ws would subscribe again from the first offset.
    retryAttempts: 0,
    keepAlive: KEEP_ALIVE_MS,
    on: {
      connected: onConnected,
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
        pongTimer.unref();
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => clearTimeout(pongTimer),
    },
  });
  return client;
}

function subscribeOnce(client: Client, variables: { run: string; offset: number }, onSlice: (slice: LogSlice) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    client.subscribe<{ runLogs: LogSlice }>(
      { query: RUN_LOGS, variables },
      {
        next: (result) => {
          if (result.errors?.length) reject(result.errors);
          else if (result.data) onSlice(result.data.runLogs);
        },
        error: reject,
        complete: resolve,
      },
    );
  });
}

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: unknown; reason?: unknown; details?: unknown };
}

/**
 * What went wrong, in words, when trying again may help (the connection dropped, the API
 * restarted); otherwise throws the error the command should fail with.
 */
function retryableProblem(error: unknown): string {
  if (Array.isArray(error)) throw apiErrorOf(error[0] as GraphQLErrorLike);
  const close = error as { code?: unknown; reason?: unknown };
  if (typeof close?.code === "number") {
    const reason = typeof close.reason === "string" && close.reason ? close.reason : "no reason given";
    if (close.code === 4403 || close.code === 4401) throw new CliError(`the API refused the token for the log stream (${reason})`, ExitCode.AUTH);
    // 4499 is the client's own: a ping went unanswered.
    if (close.code >= 4000 && close.code !== 4499) throw new CliError(`the API closed the log stream: ${close.code} ${reason}`, ExitCode.FAILED);
    return close.code === 4499 ? "no answer to a ping" : `closed ${close.code}, ${reason}`;
  }
  return error instanceof Error || typeof (error as { message?: unknown })?.message === "string" ? (error as Error).message : String(error);
}

function apiErrorOf(error: GraphQLErrorLike | undefined): ApiError {
  const code = typeof error?.extensions?.code === "string" ? error.extensions.code : "BAD_RESPONSE";
  const reason = typeof error?.extensions?.reason === "string" ? error.extensions.reason : code;
  const details = (error?.extensions?.details ?? {}) as Record<string, unknown>;
  return new ApiError(`RunLogs: ${error?.message ?? code}`, code, reason, details, 0);
}
