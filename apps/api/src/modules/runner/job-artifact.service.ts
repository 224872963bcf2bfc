import { DomainError, toDbEnum, validateModelName, validateText } from "@distillery/domain";
import type { Database } from "../../db/database";
import { insertVersion, validateNewVersion } from "../model-version/model-version.service";
import { ModelVersionEntity } from "../model-version/model-version.entity";
import type { RegisterJobArtifactInput } from "./job-artifact.inputs";
import { leasedRun } from "./job-lease.service";

const ARTIFACT_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * Registers what a job produced, on the lease that produced it: a runner needs no WRITE token,
 * only the RUNNER one, and only for its own job. Idempotent per (run, artifact).
 */
export class JobArtifactService {
  constructor(private readonly db: Database) {}

  async register(jobId: string, leaseId: string, input: RegisterJobArtifactInput, actor: string): Promise<ModelVersionEntity> {
    if (!ARTIFACT_NAME.test(input.artifact)) {
      throw new DomainError("INVALID_ARGUMENT", `artifact "${input.artifact}" must be a lower-case name`, { field: "artifact" });
    }
    validateModelName(input.model);
    validateText("family", input.family, 200);
    validateNewVersion(input);
    return this.db.transaction(async (manager) => {
      const runId = await leasedRun(manager, jobId, leaseId);
      const existing = await manager.findOneBy(ModelVersionEntity, { producedByRun: runId, producedArtifact: input.artifact });
      if (existing) return existing;
      await manager.query(
        `INSERT INTO model (name, role, family, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
        [input.model, toDbEnum(input.role), input.family, actor],
      );
      return insertVersion(manager, input, actor, { runId, artifact: input.artifact });
    });
  }
}
