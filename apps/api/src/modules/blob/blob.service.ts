import { DomainError, formatDigest, parseDigest } from "@distillery/domain";
import type { Database } from "../../db/database";
import { BlobEntity } from "./blob.entity";

export class BlobService {
  constructor(private readonly db: Database) {}

  /** Records a blob whose bytes are already in the store; recording twice is harmless. */
  async record(hex: string, sizeBytes: number, mediaType: string): Promise<void> {
    await this.db.read((manager) =>
      manager.query(
        `INSERT INTO blob (digest, size_bytes, media_type) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING`,
        [hex, sizeBytes, mediaType],
      ),
    );
  }

  async get(digest: string): Promise<BlobEntity> {
    const hex = parseDigest(digest);
    const found = await this.db.read((manager) => manager.findOneBy(BlobEntity, { digest: hex }));
    if (!found) throw new DomainError("BLOB_NOT_FOUND", `No blob ${formatDigest(hex)}`, { digest });
    return found;
  }

  findByHex(hex: string): Promise<BlobEntity | null> {
    return this.db.read((manager) => manager.findOneBy(BlobEntity, { digest: hex }));
  }
}
