import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/**
 * The queue entry of a run: what it needs, who holds it, until when. State changes happen in
 * single SQL statements guarded by (state, lease_id) — see job-queue.ts.
 */
@Entity({ name: "job" })
export class JobEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ name: "run_id", type: "uuid" })
  runId!: string;

  /** queued | leased | running | succeeded | failed | cancelled | dead */
  @Column({ type: "text" })
  state!: string;

  /** cpu | cuda | any */
  @Column({ type: "text" })
  device!: string;

  @Column({ name: "min_memory_gb", type: "double precision" })
  minMemoryGb!: number;

  @Column({ type: "text", array: true })
  labels!: string[];

  @Column({ type: "text", array: true })
  capabilities!: string[];

  @Column({ type: "integer" })
  priority!: number;

  @Column({ type: "integer" })
  attempt!: number;

  @Column({ name: "max_attempts", type: "integer" })
  maxAttempts!: number;

  @Column({ name: "lease_id", type: "uuid", nullable: true })
  leaseId!: string | null;

  @Column({ name: "lease_expires_at", type: "timestamptz", nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: "runner_id", type: "uuid", nullable: true })
  runnerId!: string | null;

  /** Backoff: the job is not handed out before this time. */
  @Column({ name: "not_before", type: "timestamptz" })
  notBefore!: Date;

  @Column({ name: "cancel_requested", type: "boolean" })
  cancelRequested!: boolean;

  @Column({ type: "double precision", nullable: true })
  progress!: number | null;

  /** user_error | infra_error */
  @Column({ name: "failure_kind", type: "text", nullable: true })
  failureKind!: string | null;

  @Column({ type: "text", nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @Column({ name: "started_at", type: "timestamptz", nullable: true })
  startedAt!: Date | null;

  @Column({ name: "finished_at", type: "timestamptz", nullable: true })
  finishedAt!: Date | null;

  @Column({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
