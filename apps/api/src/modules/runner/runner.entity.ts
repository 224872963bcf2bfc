import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

@Entity({ name: "runner" })
export class RunnerEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "text", array: true })
  labels!: string[];

  /** What the machine can do beyond its device, e.g. command, torch. */
  @Column({ type: "text", array: true })
  capabilities!: string[];

  /** cpu | cuda */
  @Column({ name: "device_kind", type: "text" })
  deviceKind!: string;

  @Column({ name: "device_name", type: "text" })
  deviceName!: string;

  @Column({ name: "memory_gb", type: "double precision" })
  memoryGb!: number;

  @Column({ name: "registered_by", type: "text" })
  registeredBy!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @Column({ name: "last_seen_at", type: "timestamptz" })
  lastSeenAt!: Date;
}
