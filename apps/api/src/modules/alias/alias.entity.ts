import { Column, Entity, PrimaryColumn, UpdateDateColumn } from "typeorm";

@Entity({ name: "alias" })
export class AliasEntity {
  @PrimaryColumn({ name: "model_id", type: "uuid" })
  modelId!: string;

  @PrimaryColumn({ type: "text" })
  name!: string;

  @Column({ name: "version_id", type: "uuid" })
  versionId!: string;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
