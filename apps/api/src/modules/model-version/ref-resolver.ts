import type { EntityManager } from "typeorm";
import { DomainError, parseRef, type Precision, toDbEnum } from "@distillery/domain";
import { AliasEntity } from "../alias/alias.entity";
import { findModel } from "../model/model.service";
import { ModelVersionEntity } from "./model-version.entity";

/** Resolves `name`, `name@v3` or `name@alias` to one version. */
export async function resolveRef(manager: EntityManager, ref: string): Promise<ModelVersionEntity> {
  const { model: name, selector } = parseRef(ref);
  const model = await findModel(manager, name);
  switch (selector.kind) {
    case "latest": {
      const newest = await manager.findOne(ModelVersionEntity, {
        where: { modelId: model.id, status: "ready" },
        order: { version: "DESC" },
      });
      if (!newest) throw new DomainError("VERSION_NOT_FOUND", `Model "${name}" has no ready version`, { ref });
      return newest;
    }
    case "version": {
      const found = await manager.findOneBy(ModelVersionEntity, { modelId: model.id, version: selector.version });
      if (!found) throw new DomainError("VERSION_NOT_FOUND", `Model "${name}" has no version ${selector.version}`, { ref });
      return found;
    }
    case "alias": {
      const alias = await manager.findOneBy(AliasEntity, { modelId: model.id, name: selector.alias });
      if (!alias) throw new DomainError("ALIAS_NOT_FOUND", `Model "${name}" has no alias "${selector.alias}"`, { ref });
      return manager.findOneByOrFail(ModelVersionEntity, { id: alias.versionId });
    }
  }
}

/**
 * Resolves the ref, then, when the version has another precision, the newest ready version
 * QUANTIZED_FROM it with the asked precision: `student@production` in INT8 is the int8 build
 * of whatever production points at.
 */
export async function resolveRefWithPrecision(
  manager: EntityManager,
  ref: string,
  precision: Precision | undefined,
): Promise<ModelVersionEntity> {
  const resolved = await resolveRef(manager, ref);
  if (precision === undefined || resolved.precision === toDbEnum(precision)) return resolved;
  const quantized = await manager
    .createQueryBuilder(ModelVersionEntity, "child")
    .innerJoin("lineage", "edge", "edge.child_id = child.id")
    .where("edge.parent_id = :parentId", { parentId: resolved.id })
    .andWhere("edge.relation = 'quantized_from'")
    .andWhere("child.precision = :precision", { precision: toDbEnum(precision) })
    .andWhere("child.status = 'ready'")
    .orderBy("child.created_at", "DESC")
    .addOrderBy("child.version", "DESC")
    .getOne();
  if (!quantized) {
    throw new DomainError(
      "VERSION_NOT_FOUND",
      `"${ref}" resolves to a ${resolved.precision.toUpperCase()} version with no ready ${precision} version quantized from it`,
      { ref, precision },
    );
  }
  return quantized;
}
