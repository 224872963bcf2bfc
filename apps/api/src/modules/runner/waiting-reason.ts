import type { Database } from "../../db/database";
import type { JobEntity } from "../run/job.entity";

/**
 * Why a queued job is not running yet, in words a user can act on: a job no online runner can
 * take stays queued with this reason instead of failing on the wrong machine.
 */
export async function waitingReasonOf(db: Database, job: JobEntity, onlineSeconds: number): Promise<string | null> {
  if (job.state !== "queued" || job.cancelRequested) return null;
  const rows: Array<{ online: string; device: string; memory: string; labels: string; capable: string; backoff: boolean }> = await db.read(
    (manager) =>
      manager.query(
        `WITH online AS (SELECT * FROM runner WHERE last_seen_at > now() - make_interval(secs => $1))
         SELECT (SELECT count(*) FROM online) AS online,
                (SELECT count(*) FROM online WHERE $2 IN ('any', device_kind)) AS device,
                (SELECT count(*) FROM online WHERE $2 IN ('any', device_kind) AND memory_gb >= $3) AS memory,
                (SELECT count(*) FROM online WHERE $2 IN ('any', device_kind) AND memory_gb >= $3 AND labels @> $4::text[]) AS labels,
                (SELECT count(*) FROM online WHERE $2 IN ('any', device_kind) AND memory_gb >= $3 AND labels @> $4::text[]
                                               AND capabilities @> $5::text[]) AS capable,
                $6::timestamptz > now() AS backoff`,
        [onlineSeconds, job.device, job.minMemoryGb, job.labels, job.capabilities, job.notBefore],
      ),
  );
  const counts = rows[0]!;
  if (counts.backoff) return `retrying after a failure: not before ${job.notBefore.toISOString()} (attempt ${job.attempt + 1} of ${job.maxAttempts})`;
  if (Number(counts.online) === 0) return "no runner is online";
  if (Number(counts.device) === 0) return `no online runner has a ${job.device.toUpperCase()} device`;
  if (Number(counts.memory) === 0) return `no online runner has ${job.minMemoryGb} GB of memory`;
  if (Number(counts.labels) === 0) return `no online runner carries the labels ${job.labels.join(", ")}`;
  if (Number(counts.capable) === 0) return `no online runner offers ${job.capabilities.join(", ")}`;
  return "waiting for a free runner";
}
