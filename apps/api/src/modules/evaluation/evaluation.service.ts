import { In, type EntityManager } from "typeorm";
import { DomainError } from "@distillery/domain";
import type { Database } from "../../db/database";
import { ModelEntity } from "../model/model.entity";
import type { ModelVersionEntity } from "../model-version/model-version.entity";
import { resolveRef } from "../model-version/ref-resolver";
import { leasedRun } from "../runner/job-lease.service";
import { EvaluationProtocolEntity } from "./evaluation-protocol.entity";
import { EvaluationEntity } from "./evaluation.entity";
import type { PostEvaluationInput } from "./evaluation.inputs";
import { validateMeasurements, validateProtocol } from "./evaluation.validation";
import { protocolKey } from "./protocol-key";

export class EvaluationService {
  constructor(private readonly db: Database) {}

  /**
   * Records what a job measured, on the job's lease and for the job's run. Idempotent per
   * (version, protocol, run): a replay returns the first row and changes nothing.
   */
  async post(input: PostEvaluationInput): Promise<EvaluationEntity> {
    const settings = validateProtocol(input.protocol);
    const measured = validateMeasurements(input);
    return this.db.transaction(async (manager) => {
      const runId = await leasedRun(manager, input.jobId, input.leaseId);
      const version = await resolveRef(manager, input.version);
      const extractor = await resolveExtractor(manager, input.protocol.extractor);
      const protocol = await upsertProtocol(manager, { ...settings, extractor: extractor.id });
      await manager.query(
        `INSERT INTO evaluation (version_id, protocol_id, run_id, fid, latency_p50_ms, latency_p95_ms, throughput,
                                 peak_memory_bytes, params, size_bytes, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT ON CONSTRAINT evaluation_version_protocol_run_key DO NOTHING`,
        [
          version.id, protocol.id, runId, measured.fid, measured.latencyP50Ms, measured.latencyP95Ms, measured.throughput,
          measured.peakMemoryBytes, measured.params, version.sizeBytes, measured.details,
        ],
      );
      return manager.findOneByOrFail(EvaluationEntity, { versionId: version.id, protocolId: protocol.id, runId });
    });
  }

  /** Every evaluation of the version, newest first. */
  forVersion(ref: string): Promise<EvaluationEntity[]> {
    return this.db.read(async (manager) => {
      const version = await resolveRef(manager, ref);
      return manager.find(EvaluationEntity, { where: { versionId: version.id }, order: { createdAt: "DESC", id: "DESC" } });
    });
  }

  /** Most recently used (newest evaluation) first. */
  protocols(): Promise<EvaluationProtocolEntity[]> {
    return this.db.read(async (manager) => {
      const order: Array<{ id: string }> = await manager.query(
        `SELECT p.id FROM evaluation_protocol p LEFT JOIN evaluation e ON e.protocol_id = p.id
          GROUP BY p.id ORDER BY MAX(e.created_at) DESC NULLS LAST, p.created_at DESC, p.id DESC`,
      );
      if (order.length === 0) return [];
      const rows = await manager.findBy(EvaluationProtocolEntity, { id: In(order.map((row) => row.id)) });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return order.map((row) => byId.get(row.id)!);
    });
  }

  protocolsByIds(ids: readonly string[]): Promise<EvaluationProtocolEntity[]> {
    return this.db.read((manager) => manager.findBy(EvaluationProtocolEntity, { id: In([...ids]) }));
  }

  /** How many distinct versions each protocol has evaluations of. */
  versionCounts(protocolIds: readonly string[]): Promise<Array<{ protocolId: string; count: number }>> {
    return this.db.read(async (manager) => {
      const rows: Array<{ protocolId: string; count: string | number }> = await manager
        .createQueryBuilder(EvaluationEntity, "e")
        .select("e.protocol_id", "protocolId")
        .addSelect("COUNT(DISTINCT e.version_id)", "count")
        .where("e.protocol_id IN (:...ids)", { ids: [...protocolIds] })
        .groupBy("e.protocol_id")
        .getRawMany();
      return rows.map((row) => ({ protocolId: row.protocolId, count: Number(row.count) }));
    });
  }
}

async function resolveExtractor(manager: EntityManager, ref: string): Promise<ModelVersionEntity> {
  const extractor = await resolveRef(manager, ref);
  const model = await manager.findOneByOrFail(ModelEntity, { id: extractor.modelId });
  if (model.role !== "extractor") {
    throw new DomainError("INVALID_ARGUMENT", `protocol.extractor "${ref}" is a ${model.role.toUpperCase()} model, not an EXTRACTOR`, {
      field: "protocol.extractor",
    });
  }
  return extractor;
}

/** The protocol with these settings, made the first time they are seen. */
async function upsertProtocol(
  manager: EntityManager,
  fields: ReturnType<typeof validateProtocol> & { extractor: string },
): Promise<EvaluationProtocolEntity> {
  const key = protocolKey(fields);
  await manager.query(
    `INSERT INTO evaluation_protocol (key, dataset, extractor_version_id, reference_stats_digest, samples, sampler, steps, eta,
                                      resolution, batch, threads, hardware)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (key) DO NOTHING`,
    [key, fields.dataset, fields.extractor, fields.referenceStats, fields.samples, fields.sampler, fields.steps, fields.eta,
      fields.resolution, fields.batch, fields.threads, fields.hardware],
  );
  return manager.findOneByOrFail(EvaluationProtocolEntity, { key });
}
