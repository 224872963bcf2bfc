import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Experiments, runs and the job queue runners lease from, with metrics and logs.
 *
 * A run's status is not stored: it is derived from its job's state, so the two can never
 * disagree. Leases and backoffs are timestamps on the database clock.
 */
export class Runs1764400000000 implements MigrationInterface {
  name = "Runs1764400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE experiment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('command','pretrain','extractor','distill','quantize','evaluate')),
        spec jsonb NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        run_seq integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE runner (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        labels text[] NOT NULL DEFAULT '{}',
        capabilities text[] NOT NULL DEFAULT '{}',
        device_kind text NOT NULL CHECK (device_kind IN ('cpu','cuda')),
        device_name text NOT NULL DEFAULT '',
        memory_gb double precision NOT NULL DEFAULT 0,
        registered_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        experiment_id uuid NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
        number integer NOT NULL CHECK (number > 0),
        retry_of uuid REFERENCES run(id),
        result jsonb,
        log_bytes bigint NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (experiment_id, number)
      )`,
      `CREATE TABLE job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL UNIQUE REFERENCES run(id) ON DELETE CASCADE,
        state text NOT NULL CHECK (state IN ('queued','leased','running','succeeded','failed','cancelled','dead')),
        device text NOT NULL CHECK (device IN ('cpu','cuda','any')),
        min_memory_gb double precision NOT NULL DEFAULT 0,
        labels text[] NOT NULL DEFAULT '{}',
        capabilities text[] NOT NULL DEFAULT '{}',
        priority integer NOT NULL DEFAULT 0,
        attempt integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
        lease_id uuid,
        lease_expires_at timestamptz,
        runner_id uuid REFERENCES runner(id),
        not_before timestamptz NOT NULL DEFAULT now(),
        cancel_requested boolean NOT NULL DEFAULT false,
        progress double precision,
        failure_kind text CHECK (failure_kind IN ('user_error','infra_error')),
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX job_queue_idx ON job (priority DESC, created_at) WHERE state = 'queued'`,
      `CREATE INDEX job_lease_expiry_idx ON job (lease_expires_at) WHERE state IN ('leased','running')`,
      `CREATE TABLE metric_point (
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        key text NOT NULL,
        step bigint NOT NULL CHECK (step >= 0),
        value double precision NOT NULL,
        time timestamptz NOT NULL,
        PRIMARY KEY (run_id, key, step)
      )`,
      `CREATE TABLE metric_latest (
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        key text NOT NULL,
        step bigint NOT NULL,
        value double precision NOT NULL,
        point_count bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, key)
      )`,
      `CREATE TABLE metric_batch (
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        batch_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, batch_id)
      )`,
      `CREATE TABLE run_log (
        run_id uuid NOT NULL REFERENCES run(id) ON DELETE CASCADE,
        byte_offset bigint NOT NULL CHECK (byte_offset >= 0),
        content text NOT NULL,
        PRIMARY KEY (run_id, byte_offset)
      )`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["run_log", "metric_batch", "metric_latest", "metric_point", "job", "run", "runner", "experiment"]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
