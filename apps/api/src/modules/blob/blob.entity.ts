import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";
import { bigintAsNumber } from "../../db/column-transformers";

@Entity({ name: "blob" })
export class BlobEntity {
  /** 64 lower-case hex digits; the API shows it as `sha256:<hex>`. */
  @PrimaryColumn({ type: "char", length: 64 })
  digest!: string;

  @Column({ name: "size_bytes", type: "bigint", transformer: bigintAsNumber })
  sizeBytes!: number;

  @Column({ name: "media_type", type: "text" })
  mediaType!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;
}
