import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** Every move of an alias, kept forever: promotion history is never lost. */
@Entity({ name: "alias_event" })
export class AliasEventEntity {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ name: "model_id", type: "uuid" })
  modelId!: string;

  @Column({ type: "text" })
  alias!: string;

  /** Null when the alias was created. */
  @Column({ name: "from_version_id", type: "uuid", nullable: true })
  fromVersionId!: string | null;

  /** Null when the alias was deleted. */
  @Column({ name: "to_version_id", type: "uuid", nullable: true })
  toVersionId!: string | null;

  @Column({ type: "text" })
  actor!: string;

  @CreateDateColumn({ type: "timestamptz" })
  at!: Date;
}
