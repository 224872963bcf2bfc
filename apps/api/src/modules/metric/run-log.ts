import type { EntityManager } from "typeorm";
import { DomainError } from "@distillery/domain";
import type { Database } from "../../db/database";

export const MAX_LOG_CHUNK_BYTES = 1024 * 1024;

/**
 * Appends `text` at UTF-8 byte `offset` of the run's log. The offset makes appends idempotent:
 * bytes the log already has are skipped, so a replayed or overlapping chunk adds only what is
 * new; a chunk that would leave a hole is refused with LOG_OFFSET_GAP and the expected offset.
 * The caller holds the job's lease; the run row lock orders concurrent appends.
 */
export async function appendLog(manager: EntityManager, runId: string, offset: number, text: string): Promise<number> {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > MAX_LOG_CHUNK_BYTES) {
    throw new DomainError("INVALID_ARGUMENT", `A log chunk holds at most ${MAX_LOG_CHUNK_BYTES} bytes`, { field: "text" });
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new DomainError("INVALID_ARGUMENT", "offset must be a non-negative integer", { field: "offset" });
  }
  const rows: Array<{ log_bytes: string }> = await manager.query(`SELECT log_bytes FROM run WHERE id = $1 FOR UPDATE`, [runId]);
  const current = Number(rows[0]!.log_bytes);
  if (offset > current) {
    throw new DomainError("LOG_OFFSET_GAP", `The log has ${current} bytes; a chunk at ${offset} would leave a gap`, {
      expectedOffset: current,
    });
  }
  const end = offset + bytes.length;
  if (end <= current) return current;
  const tail = bytes.subarray(current - offset);
  await manager.query(`INSERT INTO run_log (run_id, byte_offset, content) VALUES ($1, $2, $3)`, [runId, current, tail.toString("utf8")]);
  await manager.query(`UPDATE run SET log_bytes = $2 WHERE id = $1`, [runId, end]);
  return end;
}

export interface LogSlice {
  offset: number;
  nextOffset: number;
  totalBytes: number;
  text: string;
}

export class RunLogReader {
  constructor(private readonly db: Database) {}

  /** Up to `limit` bytes from `offset`, cut back to a whole UTF-8 character. */
  async read(runId: string, logBytes: number, offset: number, limit: number): Promise<LogSlice> {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new DomainError("INVALID_ARGUMENT", "offset must be a non-negative integer", { field: "offset" });
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_CHUNK_BYTES) {
      throw new DomainError("INVALID_ARGUMENT", `limit must be between 1 and ${MAX_LOG_CHUNK_BYTES}`, { field: "limit" });
    }
    const start = Math.min(offset, logBytes);
    const chunks: Array<{ byte_offset: string; content: string }> = await this.db.read((manager) =>
      manager.query(
        `SELECT byte_offset, content FROM run_log
          WHERE run_id = $1 AND byte_offset < $3 AND byte_offset + octet_length(content) > $2
          ORDER BY byte_offset`,
        [runId, start, start + limit],
      ),
    );
    const first = chunks[0] ? Number(chunks[0].byte_offset) : start;
    const joined = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.content, "utf8")));
    const from = start - first;
    let slice = wholeCharacters(joined.subarray(from, from + limit));
    // A limit smaller than the character at `start` still returns that one character, so a
    // client paging with a tiny limit always moves forward.
    if (slice.length === 0 && joined.length > from) slice = joined.subarray(from, from + utf8Length(joined[from]!));
    return { offset: start, nextOffset: start + slice.length, totalBytes: logBytes, text: slice.toString("utf8") };
  }
}

/** Bytes in the UTF-8 character that starts with `lead`. */
function utf8Length(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** Drops a trailing, incomplete UTF-8 sequence so the next read starts on a character boundary. */
function wholeCharacters(bytes: Buffer): Buffer {
  let end = bytes.length;
  let continuation = 0;
  while (end - continuation - 1 >= 0 && (bytes[end - continuation - 1]! & 0xc0) === 0x80 && continuation < 3) continuation += 1;
  const leadIndex = end - continuation - 1;
  if (leadIndex < 0) return bytes;
  const lead = bytes[leadIndex]!;
  if (utf8Length(lead) > continuation + 1) end = leadIndex;
  return bytes.subarray(0, end);
}
