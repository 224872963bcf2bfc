import { Column, Entity, PrimaryColumn } from "typeorm";

/** One edge of the lineage graph: child was <relation> parent (e.g. quantized_from). */
@Entity({ name: "lineage" })
export class LineageEntity {
  @PrimaryColumn({ name: "child_id", type: "uuid" })
  childId!: string;

  @PrimaryColumn({ name: "parent_id", type: "uuid" })
  parentId!: string;

  /** distilled_from | quantized_from | exported_from | finetuned_from */
  @PrimaryColumn({ type: "text" })
  relation!: string;

  @Column({ type: "jsonb" })
  recipe!: Record<string, unknown>;
}
