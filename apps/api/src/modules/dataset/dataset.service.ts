import {
  type DatasetFormat,
  DomainError,
  parseDatasetRef,
  parseDigest,
  toDbEnum,
  validateModelName,
  validateText,
} from "@distillery/domain";
import type { Database } from "../../db/database";
import { newestFirstAfter } from "../../db/newest-first";
import { checkPageSize, type Connection, decodeCursor, toConnection } from "../../graphql/connection";
import { BlobEntity } from "../blob/blob.entity";
import { DatasetEntity } from "./dataset.entity";

export interface NewDataset {
  name: string;
  digest: string;
  format: DatasetFormat;
  sampleCount: number;
  imageShape: number[];
  classNames: string[];
  description: string;
}

export interface DatasetListQuery {
  first: number;
  after?: string | null | undefined;
}

const MAX_CHANNELS = 4;
const MAX_SIDE = 8192;
const MAX_CLASSES = 10_000;
const MAX_CLASS_NAME = 200;

/**
 * First key of the two-key advisory locks that serialise registrations per dataset name (the
 * second is hashtext(name)). Two-key locks never collide with one-key ones such as the startup lock.
 */
const DATASET_LOCK_CLASS = 1_684_108_385;


export class DatasetService {
  constructor(private readonly db: Database) {}

  async register(input: NewDataset, actor: string): Promise<DatasetEntity> {
    const row = validateNewDataset(input);
    return this.db.transaction(async (manager) => {
      const blob = await manager.findOneBy(BlobEntity, { digest: row.blobDigest });
      if (!blob) {
        throw new DomainError("BLOB_NOT_FOUND", `Upload the blob first: PUT /v1/blobs/sha256/${row.blobDigest}`, { digest: input.digest });
      }
      // Registrations of one name take turns; under READ COMMITTED the MAX below then sees the
      // previous holder's committed version, and a failed registration leaves no gap.
      await manager.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [DATASET_LOCK_CLASS, row.name]);
      const newest: Array<{ version: number | string }> = await manager.query(
        `SELECT COALESCE(MAX(version), 0) + 1 AS version FROM dataset WHERE name = $1`,
        [row.name],
      );
      return manager.save(
        manager.create(DatasetEntity, { ...row, version: Number(newest[0]!.version), sizeBytes: blob.sizeBytes, createdBy: actor }),
      );
    });
  }

  /** `name` is the newest version, `name@v<N>` version N. */
  resolve(ref: string): Promise<DatasetEntity> {
    const { name, version } = parseDatasetRef(ref);
    return this.db.read(async (manager) => {
      const found =
        version === null
          ? await manager.findOne(DatasetEntity, { where: { name }, order: { version: "DESC" } })
          : await manager.findOneBy(DatasetEntity, { name, version });
      if (!found) {
        const message = version === null ? `No dataset named "${name}"` : `Dataset "${name}" has no version ${version}`;
        throw new DomainError("DATASET_NOT_FOUND", message, { ref });
      }
      return found;
    });
  }

  /**
   * Newest first: created_at (the clock at insert, after the name's lock, so versions of one
   * name are in order) then id (see newestFirstAfter).
   */
  async list(query: DatasetListQuery): Promise<Connection<DatasetEntity>> {
    const first = checkPageSize(query.first);
    const after = query.after == null ? undefined : decodeCursor<string>(query.after, "string");
    return this.db.read(async (manager) => {
      const listed = manager.createQueryBuilder(DatasetEntity, "d");
      const totalCount = await listed.clone().getCount();
      const rows = await (await newestFirstAfter(manager, listed, "d", "dataset", after)).limit(first + 1).getMany();
      return toConnection(rows, first, totalCount, (row) => row.id);
    });
  }
}

/** Checks everything that needs no database; returns the row's columns. */
export function validateNewDataset(input: NewDataset) {
  const name = validateModelName(input.name);
  const blobDigest = parseDigest(input.digest);
  if (!Number.isSafeInteger(input.sampleCount) || input.sampleCount < 1) {
    throw new DomainError("INVALID_ARGUMENT", `sampleCount must be at least 1, got ${input.sampleCount}`, { field: "sampleCount" });
  }
  const shape = input.imageShape;
  const within = (value: number | undefined, max: number) => value !== undefined && Number.isInteger(value) && value >= 1 && value <= max;
  if (shape.length !== 3 || !within(shape[0], MAX_CHANNELS) || !within(shape[1], MAX_SIDE) || !within(shape[2], MAX_SIDE)) {
    throw new DomainError(
      "INVALID_ARGUMENT",
      `imageShape must be [C, H, W] with 1 to ${MAX_CHANNELS} channels and sides of 1 to ${MAX_SIDE}, got [${shape.join(", ")}]`,
      { field: "imageShape" },
    );
  }
  const classNames = input.classNames;
  if (classNames.length < 1 || classNames.length > MAX_CLASSES) {
    throw new DomainError("INVALID_ARGUMENT", `classNames must list 1 to ${MAX_CLASSES} classes, got ${classNames.length}`, { field: "classNames" });
  }
  const seen = new Set<string>();
  classNames.forEach((className, index) => {
    if (className.length < 1 || className.length > MAX_CLASS_NAME) {
      throw new DomainError("INVALID_ARGUMENT", `classNames[${index}] must be 1 to ${MAX_CLASS_NAME} characters`, { field: "classNames", index });
    }
    if (seen.has(className)) {
      throw new DomainError("INVALID_ARGUMENT", `classNames[${index}] repeats "${className}"`, { field: "classNames", index });
    }
    seen.add(className);
  });
  return {
    name,
    blobDigest,
    format: toDbEnum(input.format),
    sampleCount: input.sampleCount,
    imageShape: [...shape],
    classNames: [...classNames],
    description: validateText("description", input.description, 10_000),
  };
}
