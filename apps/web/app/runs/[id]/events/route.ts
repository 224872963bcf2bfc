import { tokenFromCookie } from "../../../../lib/api";
import { apiUrl } from "../../../../lib/config";
import { runEventStream } from "../../../../lib/run-event-stream";

export const dynamic = "force-dynamic";

/** A byte offset from the query or the Last-Event-ID header: a whole number, or undefined. */
function offsetOf(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const offset = Number(value);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

/**
 * The run's live changes as Server-Sent Events (lib/run-events.ts), for the run page. The
 * subscriptions to the API are made here with the cookie's token and end when the browser leaves.
 */
export async function GET(request: Request, context: RouteContext<"/runs/[id]/events">): Promise<Response> {
  const token = await tokenFromCookie();
  if (!token) return new Response("Sign in first.\n", { status: 401, headers: { "content-type": "text/plain; charset=utf-8" } });
  const { id } = await context.params;
  // A browser that reconnects names the last event it got, whose id is the log offset after it.
  const logOffset = offsetOf(request.headers.get("last-event-id")) ?? offsetOf(new URL(request.url).searchParams.get("logOffset")) ?? 0;
  const body = runEventStream({ apiUrl: apiUrl(), token, runId: id, logOffset, signal: request.signal });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold events back until a buffer fills.
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
