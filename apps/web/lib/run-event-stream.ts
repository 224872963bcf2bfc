import { type Client, createClient } from "graphql-ws/client";
import WebSocket from "ws";
import { LIVE_RUN_FIELDS } from "./run-operations";
import { isFinished, type LiveLogSlice, type LiveProblem, type LiveRun, type RunEventName, type SeriesPoints } from "./run-events";

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
/** How long the browser waits before it reconnects after the stream ends without `end`. */
const RETRY_MS = 2_000;

const RUN_UPDATED = `subscription RunUpdated($id: ID!) { runUpdated(id: $id) { ${LIVE_RUN_FIELDS} } }`;
const RUN_METRICS = `subscription RunMetrics($run: ID!) { runMetrics(run: $run) { key points { step value } } }`;
const RUN_LOGS = `subscription RunLogs($run: ID!, $offset: SafeInt!) { runLogs(run: $run, offset: $offset) { offset text nextOffset } }`;
const CATCH_UP = `query RunCatchUp($id: ID!) { run(id: $id) { ${LIVE_RUN_FIELDS} metrics(maxPoints: 1000) { key points { step value } } } }`;

export interface RunEventStreamOptions {
  apiUrl: string;
  token: string;
  runId: string;
  /** The UTF-8 byte offset of the log the browser already has. */
  logOffset: number;
  /** Aborted when the browser goes away: the subscriptions to the API end with it. */
  signal: AbortSignal;
}

interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: unknown; reason?: unknown };
}

/**
 * A run's changes as Server-Sent Events (see run-events.ts), read from the API's subscriptions
 * over one graphql-ws connection made here, on the server: the browser never sees the token.
 * After subscribing it sends the run and its metrics once, so nothing stored between the page's
 * render and the subscription is missed (the browser drops duplicate points). Once the run has
 * finished and its log was sent in full it sends `end` and closes.
 */
export function runEventStream(options: RunEventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let logOffset = options.logOffset;
  let closed = false;
  let client: Client | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  const unsubscribes: Array<() => void> = [];
  let close: () => void = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!closed) controller.enqueue(encoder.encode(text));
      };
      const send = (event: RunEventName, data: unknown) => write(`event: ${event}\nid: ${logOffset}\ndata: ${JSON.stringify(data)}\n\n`);
      close = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepAlive);
        options.signal.removeEventListener("abort", close);
        for (const unsubscribe of unsubscribes) unsubscribe();
        void client?.dispose();
        try {
          controller.close();
        } catch {
          // The browser already went away.
        }
      };
      const fail = (error: unknown) => {
        if (closed) return;
        send("problem", problemOf(error) satisfies LiveProblem);
        close();
      };

      if (options.signal.aborted) return close();
      options.signal.addEventListener("abort", close, { once: true });
      write(`retry: ${RETRY_MS}\n\n`);
      keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);

      client = createClient({
        url: `${options.apiUrl.replace(/\/+$/, "").replace(/^http/, "ws")}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${options.token}` },
        // Reconnecting is the browser's to do (EventSource), from the offset it got last.
        retryAttempts: 0,
        keepAlive: 10_000,
      });
      const subscribe = <T>(query: string, variables: Record<string, unknown>, next: (data: T) => void, complete: () => void = () => undefined) => {
        unsubscribes.push(
          client!.subscribe<T>(
            { query, variables },
            {
              next: (result) => {
                if (result.errors?.length) fail(result.errors);
                else if (result.data) next(result.data as T);
              },
              error: fail,
              complete,
            },
          ),
        );
      };
      const query = <T>(text: string, variables: Record<string, unknown>) =>
        new Promise<T>((resolve, reject) => {
          let data: T | undefined;
          subscribe<T>(text, variables, (received) => (data = received), () => (data === undefined ? reject(new Error("no answer")) : resolve(data)));
        });

      let finished = false;
      let logDone = false;
      let ending = false;
      const maybeEnd = async () => {
        if (!finished || !logDone || ending || closed) return;
        ending = true;
        // The points stored last, in case their events and the run's last change crossed.
        try {
          const { run } = await query<{ run: { metrics: SeriesPoints[] } }>(CATCH_UP, { id: options.runId });
          send("metrics", run.metrics);
        } catch (error) {
          return fail(error);
        }
        send("end", {});
        close();
      };
      const onRun = (run: LiveRun) => {
        send("run", run);
        if (isFinished(run.status)) {
          finished = true;
          void maybeEnd();
        }
      };

      subscribe<{ runUpdated: LiveRun }>(RUN_UPDATED, { id: options.runId }, (data) => onRun(data.runUpdated));
      subscribe<{ runMetrics: SeriesPoints[] }>(RUN_METRICS, { run: options.runId }, (data) => send("metrics", data.runMetrics));
      subscribe<{ runLogs: LiveLogSlice }>(
        RUN_LOGS,
        { run: options.runId, offset: logOffset },
        (data) => {
          logOffset = data.runLogs.nextOffset;
          send("logs", data.runLogs);
        },
        () => {
          logDone = true;
          void maybeEnd();
        },
      );
      query<{ run: LiveRun & { metrics: SeriesPoints[] } }>(CATCH_UP, { id: options.runId }).then(({ run: { metrics, ...run } }) => {
        send("metrics", metrics);
        onRun(run);
      }, fail);
    },
    cancel() {
      // The response was dropped: the same as the browser going away.
      close();
    },
  });
}

/** What went wrong, in one line; GraphQL errors and a refused token are not worth a reconnect. */
function problemOf(error: unknown): LiveProblem {
  if (Array.isArray(error)) {
    const first = error[0] as GraphQLErrorLike | undefined;
    const code = typeof first?.extensions?.reason === "string" ? first.extensions.reason : typeof first?.extensions?.code === "string" ? first.extensions.code : "ERROR";
    return { message: `${code}: ${first?.message ?? "the API refused the subscription"}`, fatal: true };
  }
  const close = error as { code?: unknown; reason?: unknown } | undefined;
  if (typeof close?.code === "number") {
    const reason = typeof close.reason === "string" && close.reason ? close.reason : "no reason given";
    if (close.code === 4401 || close.code === 4403) return { message: `UNAUTHENTICATED: the API refused the token (${reason})`, fatal: true };
    return { message: `the connection to the API closed (${close.code}, ${reason})`, fatal: false };
  }
  return { message: error instanceof Error ? error.message : String(error), fatal: false };
}
