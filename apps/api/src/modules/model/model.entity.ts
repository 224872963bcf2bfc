import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";

@Entity({ name: "model" })
export class ModelEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** teacher | student | extractor */
  @Column({ type: "text" })
  role!: string;

  @Column({ type: "text" })
  family!: string;

  @Column({ type: "text" })
  description!: string;

  @Column({ type: "text", array: true })
  tags!: string[];

  /** Last version number handed out; bumped under the row lock so versions stay gap-free. */
  @Column({ name: "version_seq", type: "integer" })
  versionSeq!: number;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @UpdateDateColumn({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
