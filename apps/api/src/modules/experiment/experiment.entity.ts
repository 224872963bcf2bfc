import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

@Entity({ name: "experiment" })
export class ExperimentEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** command | pretrain | extractor | distill | quantize | evaluate */
  @Column({ type: "text" })
  kind!: string;

  /** Validated and normalised by the kind's schema in libs/domain. */
  @Column({ type: "jsonb" })
  spec!: Record<string, unknown>;

  @Column({ type: "text", array: true })
  tags!: string[];

  /** Last run number handed out, bumped under the row lock like model versions. */
  @Column({ name: "run_seq", type: "integer" })
  runSeq!: number;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
