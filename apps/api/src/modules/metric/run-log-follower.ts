import { Repeater } from "@graphql-yoga/subscription";
import { DomainError, TERMINAL_JOB_STATES, toDbEnum } from "@distillery/domain";
import type { Database } from "../../db/database";
import type { EventBus } from "../../graphql/event-bus";
import { RUN_LOGS, RUN_UPDATED, type RunLogsMessage, type RunUpdatedMessage } from "../run/run.events";
import { type LogSlice, MAX_LOG_CHUNK_BYTES, type RunLogReader } from "./run-log";

const FINISHED_STATES: readonly string[] = TERMINAL_JOB_STATES.map(toDbEnum);

interface LogPosition {
  logBytes: number;
  finished: boolean;
}

/**
 * Subscription.runLogs: a run's log from an offset, then each append as it commits, until the run
 * has finished and every stored byte was sent. Events only wake the follower; the bytes are always
 * read from the database from the offset already sent, so nothing is skipped or sent twice, however
 * events and reads interleave (and however many appends one wake-up covers).
 */
export class RunLogFollower {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly reader: RunLogReader,
  ) {}

  /** Fails with RUN_NOT_FOUND before anything is streamed. */
  async follow(runId: string, offset: number): Promise<AsyncIterable<LogSlice>> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new DomainError("INVALID_ARGUMENT", "offset must be a non-negative integer", { field: "offset" });
    await this.position(runId);
    // A Repeater, not an async generator: a client that unsubscribes while the follower waits
    // for the next append is let go at once (a generator would only notice at its next yield).
    return new Repeater<LogSlice>(async (push, stop) => {
      let stopped = false;
      void stop.then(() => (stopped = true));
      // Listening starts before the first read: an append committed after that read wakes us.
      const changes = watchRun(this.events, runId);
      try {
        let sent = offset;
        while (!stopped) {
          const changed = changes.next();
          const { logBytes, finished } = await this.position(runId);
          while (sent < logBytes && !stopped) {
            const slice = await this.reader.read(runId, logBytes, sent, Math.min(MAX_LOG_CHUNK_BYTES, logBytes - sent));
            if (slice.nextOffset <= sent) throw new Error(`the log of run ${runId} has no bytes at ${sent} of ${logBytes}`);
            await push(slice);
            sent = slice.nextOffset;
          }
          if (finished && sent >= logBytes) break;
          await Promise.race([changed, stop]);
        }
      } finally {
        changes.close();
      }
      stop();
    });
  }

  private async position(runId: string): Promise<LogPosition> {
    const rows: Array<{ log_bytes: string; state: string }> = await this.db.read((manager) =>
      manager.query(`SELECT run.log_bytes, job.state FROM run JOIN job ON job.run_id = run.id WHERE run.id = $1`, [runId]),
    );
    const row = rows[0];
    if (!row) throw new DomainError("RUN_NOT_FOUND", `No run ${runId}`, { id: runId });
    return { logBytes: Number(row.log_bytes), finished: FINISHED_STATES.includes(row.state) };
  }
}

/**
 * Wake-ups for one run: `next()` resolves at the first RUN_LOGS or RUN_UPDATED of the run after
 * the call. The bus's subscriptions are drained as events come, so a slow reader never lets them
 * pile up; many events while the follower reads become one wake-up.
 */
function watchRun(events: EventBus, runId: string) {
  let waiting: Array<() => void> = [];
  const subscriptions = [events.subscribe(RUN_LOGS), events.subscribe(RUN_UPDATED)];
  for (const subscription of subscriptions) {
    void (async () => {
      for await (const message of subscription as AsyncIterable<RunLogsMessage | RunUpdatedMessage>) {
        if (message.runId !== runId) continue;
        const woken = waiting;
        waiting = [];
        for (const wake of woken) wake();
      }
    })();
  }
  return {
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: () => {
      for (const subscription of subscriptions) void subscription.return(undefined);
    },
  };
}
