import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The registry: blobs, models, versions with lineage, aliases with their full history, and
 * API tokens. Enum-like columns are lower-case text guarded by CHECK constraints, so adding a
 * value is a one-line migration rather than an ALTER TYPE that cannot run in a transaction.
 */
export class Registry1764320000000 implements MigrationInterface {
  name = "Registry1764320000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE blob (
        digest char(64) PRIMARY KEY,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        media_type text NOT NULL DEFAULT 'application/octet-stream',
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE api_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read','write','runner','admin']::text[] AND cardinality(scopes) > 0),
        owner text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      )`,
      `CREATE TABLE model (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('teacher','student','extractor')),
        family text NOT NULL DEFAULT '',
        description text NOT NULL DEFAULT '',
        tags text[] NOT NULL DEFAULT '{}',
        version_seq integer NOT NULL DEFAULT 0,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX model_tags_idx ON model USING gin (tags)`,
      `CREATE TABLE model_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model_id uuid NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version > 0),
        status text NOT NULL CHECK (status IN ('pending','ready','failed','archived')),
        format text NOT NULL CHECK (format IN ('onnx','torch')),
        precision text NOT NULL CHECK (precision IN ('fp32','fp16','int8')),
        blob_digest char(64) NOT NULL REFERENCES blob(digest),
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        params bigint CHECK (params >= 0),
        metadata jsonb NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        produced_by_run uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (model_id, version)
      )`,
      `CREATE INDEX model_version_blob_idx ON model_version (blob_digest)`,
      `CREATE TABLE lineage (
        child_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        parent_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        relation text NOT NULL CHECK (relation IN ('distilled_from','quantized_from','exported_from','finetuned_from')),
        recipe jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (child_id, parent_id, relation),
        CHECK (child_id <> parent_id)
      )`,
      `CREATE INDEX lineage_parent_idx ON lineage (parent_id, relation)`,
      `CREATE TABLE alias (
        model_id uuid NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        name text NOT NULL,
        version_id uuid NOT NULL REFERENCES model_version(id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_id, name)
      )`,
      `CREATE INDEX alias_version_idx ON alias (version_id)`,
      `CREATE TABLE alias_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        model_id uuid NOT NULL REFERENCES model(id) ON DELETE CASCADE,
        alias text NOT NULL,
        from_version_id uuid REFERENCES model_version(id),
        to_version_id uuid REFERENCES model_version(id),
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX alias_event_alias_idx ON alias_event (model_id, alias, id)`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["alias_event", "alias", "lineage", "model_version", "model", "api_token", "blob"]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
