import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Evaluations: what a runner measured for one model version under one benchmark protocol.
 *
 * A protocol is everything that makes two numbers comparable (dataset, extractor version,
 * reference statistics, sampler settings, resolution, batch, threads, hardware); its key is the
 * sha256 of its canonical JSON, so posting the same settings twice finds the same row. The
 * leaderboard never ranks rows of different protocols together.
 *
 * An evaluation is unique per (version, protocol, run) with NULLS NOT DISTINCT: a runner that
 * repeats a post after a lost answer gets the row it already made. A later run may evaluate the
 * same version again; the leaderboard takes the newest evaluation per (version, protocol).
 */
export class Evaluations1764640000000 implements MigrationInterface {
  name = "Evaluations1764640000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE evaluation_protocol (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE CHECK (key ~ '^[0-9a-f]{64}$'),
        dataset text NOT NULL CHECK (length(dataset) > 0),
        extractor_version_id uuid NOT NULL REFERENCES model_version(id),
        reference_stats_digest text NOT NULL CHECK (reference_stats_digest ~ '^sha256:[0-9a-f]{64}$'),
        samples integer NOT NULL CHECK (samples >= 2),
        sampler text NOT NULL CHECK (length(sampler) > 0),
        steps integer NOT NULL CHECK (steps >= 1),
        eta double precision NOT NULL CHECK (eta >= 0),
        resolution integer NOT NULL CHECK (resolution >= 1),
        batch integer NOT NULL CHECK (batch >= 1),
        threads integer NOT NULL CHECK (threads >= 1),
        hardware text NOT NULL CHECK (length(hardware) > 0),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`,
      `CREATE INDEX evaluation_protocol_extractor_idx ON evaluation_protocol (extractor_version_id)`,
      `CREATE TABLE evaluation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        protocol_id uuid NOT NULL REFERENCES evaluation_protocol(id),
        run_id uuid REFERENCES run(id),
        fid double precision NOT NULL CHECK (fid >= 0),
        latency_p50_ms double precision NOT NULL CHECK (latency_p50_ms >= 0),
        latency_p95_ms double precision NOT NULL CHECK (latency_p95_ms >= 0),
        throughput double precision NOT NULL CHECK (throughput >= 0),
        peak_memory_bytes bigint NOT NULL CHECK (peak_memory_bytes >= 0),
        params bigint NOT NULL CHECK (params >= 0),
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT evaluation_version_protocol_run_key UNIQUE NULLS NOT DISTINCT (version_id, protocol_id, run_id)
      )`,
      // The leaderboard's newest evaluation per version of one protocol (DISTINCT ON).
      `CREATE INDEX evaluation_protocol_version_idx ON evaluation (protocol_id, version_id, created_at DESC, id DESC)`,
      `CREATE INDEX evaluation_run_idx ON evaluation (run_id)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE evaluation`);
    await queryRunner.query(`DROP TABLE evaluation_protocol`);
  }
}
