import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Versions a run produced carry the artifact name the step gave them, unique per run: a runner
 * that repeats a registration after a lost answer gets the version it already made.
 */
export class RunArtifacts1764480000000 implements MigrationInterface {
  name = "RunArtifacts1764480000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE model_version ADD COLUMN produced_artifact text`);
    await queryRunner.query(
      `ALTER TABLE model_version ADD CONSTRAINT model_version_produced_by_run_fkey FOREIGN KEY (produced_by_run) REFERENCES run(id)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX model_version_run_artifact_idx ON model_version (produced_by_run, produced_artifact) WHERE produced_by_run IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX model_version_run_artifact_idx`);
    await queryRunner.query(`ALTER TABLE model_version DROP CONSTRAINT model_version_produced_by_run_fkey`);
    await queryRunner.query(`ALTER TABLE model_version DROP COLUMN produced_artifact`);
  }
}
