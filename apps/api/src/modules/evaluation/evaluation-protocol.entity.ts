import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** The settings that make two evaluations comparable; `key` is the sha256 of their canonical JSON. */
@Entity({ name: "evaluation_protocol" })
export class EvaluationProtocolEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  key!: string;

  @Column({ type: "text" })
  dataset!: string;

  @Column({ name: "extractor_version_id", type: "uuid" })
  extractorVersionId!: string;

  /** sha256:<hex> */
  @Column({ name: "reference_stats_digest", type: "text" })
  referenceStatsDigest!: string;

  @Column({ type: "integer" })
  samples!: number;

  @Column({ type: "text" })
  sampler!: string;

  @Column({ type: "integer" })
  steps!: number;

  @Column({ type: "double precision" })
  eta!: number;

  @Column({ type: "integer" })
  resolution!: number;

  @Column({ type: "integer" })
  batch!: number;

  @Column({ type: "integer" })
  threads!: number;

  @Column({ type: "text" })
  hardware!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
