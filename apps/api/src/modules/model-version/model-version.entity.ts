import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import { bigintAsNumber } from "../../db/column-transformers";

@Entity({ name: "model_version" })
export class ModelVersionEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ name: "model_id", type: "uuid" })
  modelId!: string;

  @Column({ type: "integer" })
  version!: number;

  /** pending | ready | failed | archived */
  @Column({ type: "text" })
  status!: string;

  /** onnx | torch */
  @Column({ type: "text" })
  format!: string;

  /** fp32 | fp16 | int8 */
  @Column({ type: "text" })
  precision!: string;

  @Column({ name: "blob_digest", type: "char", length: 64 })
  blobDigest!: string;

  @Column({ name: "size_bytes", type: "bigint", transformer: bigintAsNumber })
  sizeBytes!: number;

  @Column({ type: "bigint", nullable: true, transformer: bigintAsNumber })
  params!: number | null;

  @Column({ type: "jsonb" })
  metadata!: Record<string, unknown>;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @Column({ name: "produced_by_run", type: "uuid", nullable: true })
  producedByRun!: string | null;

  /** The artifact name the producing step gave it; unique per run (idempotent registration). */
  @Column({ name: "produced_artifact", type: "text", nullable: true })
  producedArtifact!: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
