import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";
import { bigintAsNumber } from "../../db/column-transformers";

/** One version of a dataset: a content-addressed blob plus what a spec needs to know without opening it. */
@Entity({ name: "dataset" })
export class DatasetEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** Per name, gap-free: handed out under a per-name advisory lock. */
  @Column({ type: "integer" })
  version!: number;

  @Column({ name: "blob_digest", type: "char", length: 64 })
  blobDigest!: string;

  @Column({ name: "size_bytes", type: "bigint", transformer: bigintAsNumber })
  sizeBytes!: number;

  /** npz */
  @Column({ type: "text" })
  format!: string;

  @Column({ name: "sample_count", type: "integer" })
  sampleCount!: number;

  /** (C, H, W) of one image. */
  @Column({ name: "image_shape", type: "integer", array: true })
  imageShape!: number[];

  /** Label i is class_names[i]. */
  @Column({ name: "class_names", type: "text", array: true })
  classNames!: string[];

  @Column({ type: "text" })
  description!: string;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
