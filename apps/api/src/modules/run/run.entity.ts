import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import { bigintAsNumber } from "../../db/column-transformers";

/** One launch of an experiment. Its status lives on its job (see job.entity.ts). */
@Entity({ name: "run" })
export class RunEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ name: "experiment_id", type: "uuid" })
  experimentId!: string;

  /** 1, 2, … per experiment. */
  @Column({ type: "integer" })
  number!: number;

  @Column({ name: "retry_of", type: "uuid", nullable: true })
  retryOf!: string | null;

  /** What completeJob reported. */
  @Column({ type: "jsonb", nullable: true })
  result!: Record<string, unknown> | null;

  /** Length of the log in UTF-8 bytes: the offset the next chunk must start at. */
  @Column({ name: "log_bytes", type: "bigint", transformer: bigintAsNumber })
  logBytes!: number;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
