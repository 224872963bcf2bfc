import { In, type EntityManager } from "typeorm";
import {
  DomainError,
  type ModelRole,
  toDbEnum,
  validateModelName,
  validateTags,
  validateText,
} from "@distillery/domain";
import type { Database } from "../../db/database";
import { escapeLike } from "../../db/escape-like";
import { checkPageSize, type Connection, decodeCursor, toConnection } from "../../graphql/connection";
import { ModelEntity } from "./model.entity";

export interface NewModel {
  name: string;
  role: ModelRole;
  family: string;
  description: string;
  tags: string[];
}

export interface ModelChanges {
  name: string;
  role?: ModelRole | null | undefined;
  family?: string | null | undefined;
  description?: string | null | undefined;
  tags?: string[] | null | undefined;
}

/** GraphQL hands absent nullable arguments over as undefined or null; both mean "not given". */
export interface ModelListQuery {
  first: number;
  after?: string | null | undefined;
  filter?: { role?: ModelRole | null | undefined; nameContains?: string | null | undefined; tag?: string | null | undefined } | null | undefined;
}

export class ModelService {
  constructor(private readonly db: Database) {}

  async create(input: NewModel, actor: string): Promise<ModelEntity> {
    const row = {
      name: validateModelName(input.name),
      role: toDbEnum(input.role),
      family: validateText("family", input.family, 200),
      description: validateText("description", input.description, 10_000),
      tags: validateTags(input.tags),
      createdBy: actor,
    };
    return this.db.transaction(async (manager) => {
      if (await manager.existsBy(ModelEntity, { name: row.name })) {
        throw new DomainError("MODEL_EXISTS", `A model named "${row.name}" already exists`, { name: row.name });
      }
      // The unique index still decides a race between two creates; it maps to MODEL_EXISTS too.
      return manager.save(manager.create(ModelEntity, row));
    });
  }

  async update(changes: ModelChanges): Promise<ModelEntity> {
    const patch: Partial<ModelEntity> = {};
    if (changes.role != null) patch.role = toDbEnum(changes.role);
    if (changes.family != null) patch.family = validateText("family", changes.family, 200);
    if (changes.description != null) patch.description = validateText("description", changes.description, 10_000);
    if (changes.tags != null) patch.tags = validateTags(changes.tags);
    return this.db.transaction(async (manager) => {
      const model = await lockModel(manager, changes.name);
      if (Object.keys(patch).length === 0) return model;
      return manager.save(Object.assign(model, patch));
    });
  }

  getByName(name: string): Promise<ModelEntity> {
    return this.db.read((manager) => findModel(manager, name));
  }

  byIds(ids: readonly string[]): Promise<ModelEntity[]> {
    return this.db.read((manager) => manager.findBy(ModelEntity, { id: In([...ids]) }));
  }

  /** Sorted by name; the cursor is the last name seen. */
  async list(query: ModelListQuery): Promise<Connection<ModelEntity>> {
    const first = checkPageSize(query.first);
    const after = query.after == null ? undefined : decodeCursor<string>(query.after, "string");
    return this.db.read(async (manager) => {
      const filtered = manager.createQueryBuilder(ModelEntity, "model");
      const filter = query.filter ?? {};
      if (filter.role != null) filtered.andWhere("model.role = :role", { role: toDbEnum(filter.role) });
      if (filter.nameContains) {
        filtered.andWhere("model.name ILIKE :pattern", { pattern: `%${escapeLike(filter.nameContains)}%` });
      }
      if (filter.tag != null) filtered.andWhere(":tag = ANY(model.tags)", { tag: filter.tag });
      const totalCount = await filtered.clone().getCount();
      if (after !== undefined) filtered.andWhere("model.name > :after", { after });
      const rows = await filtered.orderBy("model.name", "ASC").limit(first + 1).getMany();
      return toConnection(rows, first, totalCount, (row) => row.name);
    });
  }
}

export async function findModel(manager: EntityManager, name: string): Promise<ModelEntity> {
  const model = await manager.findOneBy(ModelEntity, { name });
  if (!model) throw new DomainError("MODEL_NOT_FOUND", `No model named "${name}"`, { name });
  return model;
}

/** Row-locks the model: version numbering and alias moves on one model happen one at a time. */
export async function lockModel(manager: EntityManager, name: string): Promise<ModelEntity> {
  const model = await manager.findOne(ModelEntity, { where: { name }, lock: { mode: "pessimistic_write" } });
  if (!model) throw new DomainError("MODEL_NOT_FOUND", `No model named "${name}"`, { name });
  return model;
}
