import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

@Entity({ name: "api_token" })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Column({ type: "text" })
  name!: string;

  /** The first characters of the token, safe to show so people can tell tokens apart. */
  @Column({ type: "text" })
  prefix!: string;

  /** sha256 of the whole token; the token itself is never stored. */
  @Column({ name: "token_hash", type: "char", length: 64 })
  tokenHash!: string;

  /** Lower-case scope names. */
  @Column({ type: "text", array: true })
  scopes!: string[];

  @Column({ type: "text" })
  owner!: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @Column({ name: "expires_at", type: "timestamptz", nullable: true })
  expiresAt!: Date | null;

  @Column({ name: "revoked_at", type: "timestamptz", nullable: true })
  revokedAt!: Date | null;

  @Column({ name: "last_used_at", type: "timestamptz", nullable: true })
  lastUsedAt!: Date | null;
}
