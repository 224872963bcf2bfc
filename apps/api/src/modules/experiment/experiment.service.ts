import { In } from "typeorm";
import {
  DomainError,
  type ExperimentKind,
  toDbEnum,
  validateExperimentSpec,
  validateJsonSize,
  validateModelName,
  validateTags,
} from "@distillery/domain";
import type { Database } from "../../db/database";
import { newestFirstAfter } from "../../db/newest-first";
import { checkPageSize, type Connection, decodeCursor, toConnection } from "../../graphql/connection";
import { escapeLike } from "../../db/escape-like";
import { ExperimentEntity } from "./experiment.entity";

export interface NewExperiment {
  name: string;
  kind: ExperimentKind;
  spec: Record<string, unknown>;
  tags: string[];
}

export interface ExperimentListQuery {
  first: number;
  after?: string | null | undefined;
  filter?: { kind?: ExperimentKind | null; nameContains?: string | null; tag?: string | null } | null | undefined;
}

export class ExperimentService {
  constructor(private readonly db: Database) {}

  async create(input: NewExperiment, actor: string): Promise<ExperimentEntity> {
    const name = validateModelName(input.name);
    validateJsonSize("spec", input.spec);
    const row = {
      name,
      kind: toDbEnum(input.kind),
      spec: validateExperimentSpec(input.kind, input.spec),
      tags: validateTags(input.tags),
      createdBy: actor,
    };
    return this.db.transaction(async (manager) => {
      if (await manager.existsBy(ExperimentEntity, { name })) {
        throw new DomainError("EXPERIMENT_EXISTS", `An experiment named "${name}" already exists`, { name });
      }
      return manager.save(manager.create(ExperimentEntity, row));
    });
  }

  async get(id: string): Promise<ExperimentEntity> {
    const found = await this.db.read((manager) => manager.findOneBy(ExperimentEntity, { id }));
    if (!found) throw new DomainError("EXPERIMENT_NOT_FOUND", `No experiment ${id}`, { id });
    return found;
  }

  byIds(ids: readonly string[]): Promise<ExperimentEntity[]> {
    return this.db.read((manager) => manager.findBy(ExperimentEntity, { id: In([...ids]) }));
  }

  /** Newest first (see newestFirstAfter). */
  async list(query: ExperimentListQuery): Promise<Connection<ExperimentEntity>> {
    const first = checkPageSize(query.first);
    const after = query.after == null ? undefined : decodeCursor<string>(query.after, "string");
    return this.db.read(async (manager) => {
      const filtered = manager.createQueryBuilder(ExperimentEntity, "e");
      const filter = query.filter ?? {};
      if (filter.kind != null) filtered.andWhere("e.kind = :kind", { kind: toDbEnum(filter.kind) });
      if (filter.nameContains) filtered.andWhere("e.name ILIKE :pattern", { pattern: `%${escapeLike(filter.nameContains)}%` });
      if (filter.tag != null) filtered.andWhere(":tag = ANY(e.tags)", { tag: filter.tag });
      const totalCount = await filtered.clone().getCount();
      const rows = await (await newestFirstAfter(manager, filtered, "e", "experiment", after)).limit(first + 1).getMany();
      return toConnection(rows, first, totalCount, (row) => row.id);
    });
  }
}
