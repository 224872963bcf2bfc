import { In, type EntityManager } from "typeorm";
import {
  DomainError,
  type LineageRelation,
  type ModelFormat,
  type Precision,
  parseDigest,
  toDbEnum,
  validateJsonSize,
} from "@distillery/domain";
import type { Database } from "../../db/database";
import { checkPageSize, type Connection, decodeCursor, toConnection } from "../../graphql/connection";
import { AliasEntity } from "../alias/alias.entity";
import { BlobEntity } from "../blob/blob.entity";
import { lockModel, findModel } from "../model/model.service";
import { ModelEntity } from "../model/model.entity";
import { LineageEntity } from "./lineage.entity";
import { ModelVersionEntity } from "./model-version.entity";
import { resolveRef, resolveRefWithPrecision } from "./ref-resolver";

export interface NewModelVersion {
  model: string;
  digest: string;
  format: ModelFormat;
  precision: Precision;
  params?: number | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  parents: Array<{ ref: string; relation: LineageRelation; recipe?: Record<string, unknown> | null | undefined }>;
}

const MAX_PARENTS = 16;

export class ModelVersionService {
  constructor(private readonly db: Database) {}

  async register(input: NewModelVersion, actor: string): Promise<ModelVersionEntity> {
    validateNewVersion(input);
    return this.db.transaction((manager) => insertVersion(manager, input, actor, null));
  }

  resolve(ref: string, precision?: Precision): Promise<ModelVersionEntity> {
    return this.db.read((manager) => resolveRefWithPrecision(manager, ref, precision));
  }

  /** Archived versions stay resolvable by number but never as `latest`, and cannot be aliased. */
  async archive(ref: string): Promise<ModelVersionEntity> {
    return this.db.transaction(async (manager) => {
      const version = await resolveRef(manager, ref);
      const model = await manager.findOneByOrFail(ModelEntity, { id: version.modelId });
      await lockModel(manager, model.name);
      const aliases = await manager.findBy(AliasEntity, { versionId: version.id });
      if (aliases.length > 0) {
        const names = aliases.map((alias) => alias.name).sort();
        throw new DomainError(
          "VERSION_HAS_ALIASES",
          `${model.name}@v${version.version} is still aliased as ${names.join(", ")}; move or delete those aliases first`,
          { aliases: names },
        );
      }
      if (version.status === "archived") return version;
      version.status = "archived";
      return manager.save(version);
    });
  }

  async listForModel(modelName: string, first: number, after?: string | null): Promise<Connection<ModelVersionEntity>> {
    checkPageSize(first);
    const before = after == null ? undefined : decodeCursor<number>(after, "number");
    return this.db.read(async (manager) => {
      const model = await findModel(manager, modelName);
      const query = manager.createQueryBuilder(ModelVersionEntity, "v").where("v.model_id = :modelId", { modelId: model.id });
      const totalCount = await query.clone().getCount();
      if (before !== undefined) query.andWhere("v.version < :before", { before });
      const rows = await query.orderBy("v.version", "DESC").limit(first + 1).getMany();
      return toConnection(rows, first, totalCount, (row) => row.version);
    });
  }

  byIds(ids: readonly string[]): Promise<ModelVersionEntity[]> {
    return this.db.read((manager) => manager.findBy(ModelVersionEntity, { id: In([...ids]) }));
  }

  edgesByChildIds(ids: readonly string[]): Promise<LineageEntity[]> {
    return this.db.read((manager) => manager.findBy(LineageEntity, { childId: In([...ids]) }));
  }

  edgesByParentIds(ids: readonly string[]): Promise<LineageEntity[]> {
    return this.db.read((manager) => manager.findBy(LineageEntity, { parentId: In([...ids]) }));
  }
}

/** What a run's step produced: recorded on the version, unique per run. */
export interface ProducedBy {
  runId: string;
  artifact: string;
}

export function validateNewVersion(input: NewModelVersion): void {
  parseDigest(input.digest);
  if (input.params != null && input.params < 0) {
    throw new DomainError("INVALID_ARGUMENT", "params must not be negative", { field: "params" });
  }
  validateJsonSize("metadata", input.metadata ?? {});
  if (input.parents.length > MAX_PARENTS) {
    throw new DomainError("INVALID_ARGUMENT", `At most ${MAX_PARENTS} parents`, { field: "parents" });
  }
  input.parents.forEach((parent, index) => validateJsonSize(`parents[${index}].recipe`, parent.recipe));
}

/** Registers a version inside the caller's transaction (input already validated). */
export async function insertVersion(
  manager: EntityManager,
  input: NewModelVersion,
  actor: string,
  producedBy: ProducedBy | null,
): Promise<ModelVersionEntity> {
  const hex = parseDigest(input.digest);
  // The lock serialises registrations per model; the counter then hands out gap-free numbers
  // (a failed registration rolls its increment back with everything else).
  const model = await lockModel(manager, input.model);
  const blob = await manager.findOneBy(BlobEntity, { digest: hex });
  if (!blob) {
    throw new DomainError("BLOB_NOT_FOUND", `Upload the blob first: PUT /v1/blobs/sha256/${hex}`, { digest: input.digest });
  }
  const parents = [];
  for (const parent of input.parents) {
    parents.push({ version: await resolveRef(manager, parent.ref), ...parent });
  }
  const counted: Array<{ version_seq: number }> = await manager.query(
    // Wrapped in a SELECT: TypeORM returns UPDATE … RETURNING as [rows, count], a SELECT as rows.
    `WITH bumped AS (UPDATE model SET version_seq = version_seq + 1, updated_at = now() WHERE id = $1 RETURNING version_seq)
     SELECT version_seq FROM bumped`,
    [model.id],
  );
  const version = await manager.save(
    manager.create(ModelVersionEntity, {
      modelId: model.id,
      version: counted[0]!.version_seq,
      status: "ready",
      format: toDbEnum(input.format),
      precision: toDbEnum(input.precision),
      blobDigest: hex,
      sizeBytes: blob.sizeBytes,
      params: input.params ?? null,
      metadata: input.metadata ?? {},
      createdBy: actor,
      producedByRun: producedBy?.runId ?? null,
      producedArtifact: producedBy?.artifact ?? null,
    }),
  );
  const edges = new Map<string, Pick<LineageEntity, "childId" | "parentId" | "relation" | "recipe">>();
  for (const parent of parents) {
    const relation = toDbEnum(parent.relation);
    edges.set(`${parent.version.id}/${relation}`, { childId: version.id, parentId: parent.version.id, relation, recipe: parent.recipe ?? {} });
  }
  // QueryDeepPartialEntity cannot express jsonb records, hence the cast.
  if (edges.size > 0) await manager.insert(LineageEntity, [...edges.values()] as never);
  return version;
}
