import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Datasets as platform objects: versioned, content-addressed blobs (the trainer's export_npz)
 * with the shape, size and class names a spec needs without opening them. Versions are per name
 * and gap-free: a registration takes an advisory lock on its name, then MAX(version) + 1.
 * created_at is the clock at insert time (after that lock), not the transaction's start, so
 * newest-first lists keep a name's versions in order.
 */
export class Datasets1764560000000 implements MigrationInterface {
  name = "Datasets1764560000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE dataset (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        blob_digest char(64) NOT NULL REFERENCES blob(digest),
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        format text NOT NULL CHECK (format IN ('npz')),
        sample_count integer NOT NULL CHECK (sample_count > 0),
        image_shape integer[] NOT NULL CHECK (cardinality(image_shape) = 3),
        class_names text[] NOT NULL,
        description text NOT NULL DEFAULT '',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (name, version)
      )`,
      `CREATE INDEX dataset_blob_idx ON dataset (blob_digest)`,
      `CREATE INDEX dataset_created_idx ON dataset (created_at DESC, id DESC)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dataset`);
  }
}
