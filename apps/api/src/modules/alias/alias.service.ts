import { In, type EntityManager } from "typeorm";
import { DomainError, validateAliasName } from "@distillery/domain";
import type { Database } from "../../db/database";
import type { EventBus } from "../../graphql/event-bus";
import { lockModel } from "../model/model.service";
import type { ModelEntity } from "../model/model.entity";
import { ModelVersionEntity } from "../model-version/model-version.entity";
import { AliasEventEntity } from "./alias-event.entity";
import { AliasEntity } from "./alias.entity";
import { ALIAS_CHANGED, type AliasChangedMessage } from "./alias.events";

export class AliasService {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
  ) {}

  /** Points the alias at a version; setting it where it already points records nothing. */
  async set(input: { model: string; alias: string; version: number }, actor: string): Promise<AliasEntity> {
    const name = validateAliasName(input.alias);
    const { alias, message } = await this.db.transaction(async (manager) => {
      const model = await lockModel(manager, input.model);
      const target = await manager.findOneBy(ModelVersionEntity, { modelId: model.id, version: input.version });
      if (!target) {
        throw new DomainError("VERSION_NOT_FOUND", `Model "${model.name}" has no version ${input.version}`, {
          ref: `${model.name}@v${input.version}`,
        });
      }
      if (target.status !== "ready") {
        throw new DomainError(target.status === "archived" ? "VERSION_ARCHIVED" : "VERSION_NOT_READY", `${model.name}@v${target.version} is ${target.status}; only ready versions can be aliased`, {
          status: target.status.toUpperCase(),
        });
      }
      const existing = await manager.findOneBy(AliasEntity, { modelId: model.id, name });
      if (existing?.versionId === target.id) return { alias: existing, message: null };
      const saved = await manager.save(manager.create(AliasEntity, { modelId: model.id, name, versionId: target.id }));
      const event = await recordEvent(manager, model, name, existing?.versionId ?? null, target.id, actor);
      return { alias: saved, message: event };
    });
    if (message) this.events.publish(ALIAS_CHANGED, message);
    return alias;
  }

  async delete(input: { model: string; alias: string }, actor: string): Promise<void> {
    const message = await this.db.transaction(async (manager) => {
      const model = await lockModel(manager, input.model);
      const existing = await manager.findOneBy(AliasEntity, { modelId: model.id, name: input.alias });
      if (!existing) {
        throw new DomainError("ALIAS_NOT_FOUND", `Model "${model.name}" has no alias "${input.alias}"`, { alias: input.alias });
      }
      await manager.delete(AliasEntity, { modelId: model.id, name: existing.name });
      return recordEvent(manager, model, existing.name, existing.versionId, null, actor);
    });
    this.events.publish(ALIAS_CHANGED, message);
  }

  byModelIds(ids: readonly string[]): Promise<AliasEntity[]> {
    return this.db.read((manager) => manager.find(AliasEntity, { where: { modelId: In([...ids]) }, order: { name: "ASC" } }));
  }

  byVersionIds(ids: readonly string[]): Promise<AliasEntity[]> {
    return this.db.read((manager) => manager.find(AliasEntity, { where: { versionId: In([...ids]) }, order: { name: "ASC" } }));
  }

  /** Every event of many models' aliases (deleted ones included) in one query, oldest first. */
  historyOfModels(modelIds: readonly string[]): Promise<AliasEventEntity[]> {
    return this.db.read((manager) => manager.find(AliasEventEntity, { where: { modelId: In([...modelIds]) }, order: { id: "ASC" } }));
  }

  /** Events of many (model, alias) pairs in one query, oldest first. */
  historyOf(keys: ReadonlyArray<{ modelId: string; alias: string }>): Promise<AliasEventEntity[]> {
    return this.db.read((manager) =>
      manager.find(AliasEventEntity, {
        where: keys.map((key) => ({ modelId: key.modelId, alias: key.alias })),
        order: { id: "ASC" },
      }),
    );
  }
}

async function recordEvent(
  manager: EntityManager,
  model: ModelEntity,
  alias: string,
  fromVersionId: string | null,
  toVersionId: string | null,
  actor: string,
): Promise<AliasChangedMessage> {
  const event = await manager.save(manager.create(AliasEventEntity, { modelId: model.id, alias, fromVersionId, toVersionId, actor }));
  return { modelName: model.name, event };
}
