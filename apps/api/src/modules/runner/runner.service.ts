import { DeviceKind, DomainError, fromDbEnum, toDbEnum, validateModelName, validateTags } from "@distillery/domain";
import type { EntityManager } from "typeorm";
import type { Database } from "../../db/database";
import type { RunnerType } from "./runner.type";

export interface RunnerRegistration {
  name: string;
  labels: string[];
  capabilities: string[];
  device: { kind: DeviceKind; name: string; memoryGb: number };
}

interface RunnerRow {
  id: string;
  name: string;
  labels: string[];
  capabilities: string[];
  device_kind: string;
  device_name: string;
  memory_gb: number;
  last_seen_at: Date;
  online: boolean;
}

const SELECT_RUNNER = `SELECT id, name, labels, capabilities, device_kind, device_name, memory_gb, last_seen_at,
                              last_seen_at > now() - make_interval(secs => $1) AS online
                         FROM runner`;

export class RunnerService {
  constructor(
    private readonly db: Database,
    private readonly onlineSeconds: number,
  ) {}

  /** Upsert by name: a runner that restarts registers again and keeps its id. */
  async register(input: RunnerRegistration, actor: string): Promise<RunnerType> {
    const name = validateModelName(input.name);
    const labels = validateTags(input.labels);
    const capabilities = validateTags(input.capabilities);
    if (!(input.device.memoryGb >= 0 && input.device.memoryGb < 1e6)) {
      throw new DomainError("INVALID_ARGUMENT", "device.memoryGb must be between 0 and 1000000", { field: "device.memoryGb" });
    }
    const rows: Array<{ id: string }> = await this.db.transaction((manager) =>
      manager.query(
        `WITH upserted AS (
           INSERT INTO runner (name, labels, capabilities, device_kind, device_name, memory_gb, registered_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (name) DO UPDATE SET labels = excluded.labels, capabilities = excluded.capabilities,
             device_kind = excluded.device_kind, device_name = excluded.device_name, memory_gb = excluded.memory_gb,
             registered_by = excluded.registered_by, last_seen_at = now()
           RETURNING id)
         SELECT id FROM upserted`,
        [name, labels, capabilities, toDbEnum(input.device.kind), input.device.name.slice(0, 200), input.device.memoryGb, actor],
      ),
    );
    return (await this.byIds([rows[0]!.id]))[0]!;
  }

  async list(): Promise<RunnerType[]> {
    const rows: RunnerRow[] = await this.db.read((manager) => manager.query(`${SELECT_RUNNER} ORDER BY name`, [this.onlineSeconds]));
    return rows.map(toRunnerType);
  }

  async byIds(ids: readonly string[]): Promise<RunnerType[]> {
    const rows: RunnerRow[] = await this.db.read((manager) =>
      manager.query(`${SELECT_RUNNER} WHERE id = ANY($2::uuid[])`, [this.onlineSeconds, [...ids]]),
    );
    return rows.map(toRunnerType);
  }

  async get(id: string): Promise<RunnerType> {
    const found = (await this.byIds([id]))[0];
    if (!found) throw new DomainError("RUNNER_NOT_FOUND", `No runner ${id}: register it first`, { id });
    return found;
  }

}

/** Marks the runner as seen now (acquireJob and heartbeats), inside the caller's transaction. */
export async function touchRunner(manager: EntityManager, id: string): Promise<void> {
  await manager.query(`UPDATE runner SET last_seen_at = now() WHERE id = $1`, [id]);
}

function toRunnerType(row: RunnerRow): RunnerType {
  return {
    id: row.id,
    name: row.name,
    labels: row.labels,
    capabilities: row.capabilities,
    device: { kind: fromDbEnum(DeviceKind, row.device_kind), name: row.device_name, memoryGb: row.memory_gb },
    lastSeenAt: row.last_seen_at,
    online: row.online,
  };
}
