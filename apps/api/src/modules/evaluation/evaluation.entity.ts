import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import { bigintAsNumber } from "../../db/column-transformers";

/** What one run measured for one model version under one protocol. */
@Entity({ name: "evaluation" })
export class EvaluationEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ name: "version_id", type: "uuid" })
  versionId!: string;

  @Column({ name: "protocol_id", type: "uuid" })
  protocolId!: string;

  @Column({ name: "run_id", type: "uuid", nullable: true })
  runId!: string | null;

  @Column({ type: "double precision" })
  fid!: number;

  @Column({ name: "latency_p50_ms", type: "double precision" })
  latencyP50Ms!: number;

  @Column({ name: "latency_p95_ms", type: "double precision" })
  latencyP95Ms!: number;

  /** Images per second. */
  @Column({ type: "double precision" })
  throughput!: number;

  @Column({ name: "peak_memory_bytes", type: "bigint", transformer: bigintAsNumber })
  peakMemoryBytes!: number;

  @Column({ type: "bigint", transformer: bigintAsNumber })
  params!: number;

  /** The version's blob size when it was evaluated. */
  @Column({ name: "size_bytes", type: "bigint", transformer: bigintAsNumber })
  sizeBytes!: number;

  @Column({ type: "jsonb" })
  details!: Record<string, unknown>;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
