import { In, type EntityManager } from "typeorm";
import {
  DomainError,
  type DeviceRequirement,
  ExperimentKind,
  fromDbEnum,
  jobStatesOf,
  requiredCapabilities,
  type RunStatus,
  TERMINAL_JOB_STATES,
  toDbEnum,
  validateTags,
} from "@distillery/domain";
import type { Database } from "../../db/database";
import { newestFirstAfter } from "../../db/newest-first";
import type { EventBus } from "../../graphql/event-bus";
import { checkPageSize, type Connection, decodeCursor, toConnection } from "../../graphql/connection";
import { ExperimentEntity } from "../experiment/experiment.entity";
import { JobEntity } from "./job.entity";
import { requestCancel } from "./job-queue";
import type { JobSignal } from "./job-signal";
import { RUN_UPDATED, type RunUpdatedMessage } from "./run.events";
import { RunEntity } from "./run.entity";

export interface LaunchOptions {
  experiment: string;
  requirements?: { device: DeviceRequirement; minMemoryGb: number; labels: string[] } | null | undefined;
  priority: number;
  maxAttempts: number;
}

export interface RunListQuery {
  first: number;
  after?: string | null | undefined;
  filter?: { experiment?: string | null; status?: RunStatus | null } | null | undefined;
}

export class RunService {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly jobSignal: JobSignal,
  ) {}

  async launch(options: LaunchOptions, actor: string): Promise<RunEntity> {
    if (!Number.isInteger(options.priority) || Math.abs(options.priority) > 1000) {
      throw new DomainError("INVALID_ARGUMENT", "priority must be an integer between -1000 and 1000", { field: "priority" });
    }
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1 || options.maxAttempts > 100) {
      throw new DomainError("INVALID_ARGUMENT", "maxAttempts must be between 1 and 100", { field: "maxAttempts" });
    }
    const requirements = options.requirements ?? { device: "ANY" as DeviceRequirement, minMemoryGb: 0, labels: [] };
    if (!(requirements.minMemoryGb >= 0 && requirements.minMemoryGb <= 1e6)) {
      throw new DomainError("INVALID_ARGUMENT", "minMemoryGb must be between 0 and 1000000", { field: "requirements.minMemoryGb" });
    }
    const labels = validateTags(requirements.labels);
    const run = await this.db.transaction(async (manager) => {
      const experiment = await lockExperiment(manager, options.experiment);
      return insertRun(manager, experiment, actor, null, {
        device: toDbEnum(requirements.device),
        minMemoryGb: requirements.minMemoryGb,
        labels,
        capabilities: [...requiredCapabilities(fromDbEnum(ExperimentKind, experiment.kind), experiment.spec)],
        priority: options.priority,
        maxAttempts: options.maxAttempts,
      });
    });
    this.announce(run.id);
    return run;
  }

  /** A new run of the same experiment with the same requirements; the old run must be finished. */
  async retry(runId: string, actor: string): Promise<RunEntity> {
    const run = await this.db.transaction(async (manager) => {
      const previous = await findRun(manager, runId);
      const job = await manager.findOneByOrFail(JobEntity, { runId });
      if (!TERMINAL_JOB_STATES.map(toDbEnum).includes(job.state)) {
        throw new DomainError("RUN_NOT_FINISHED", `Run ${runId} is still ${job.state}; cancel it first`, { state: job.state.toUpperCase() });
      }
      const experiment = await lockExperiment(manager, previous.experimentId);
      return insertRun(manager, experiment, actor, previous.id, job);
    });
    this.announce(run.id);
    return run;
  }

  /** Idempotent. Queued jobs are cancelled at once; leased ones when the runner stops or its lease expires. */
  async cancel(runId: string): Promise<RunEntity> {
    const run = await this.db.transaction(async (manager) => {
      const found = await findRun(manager, runId);
      if (await requestCancel(manager, runId)) return found;
      const job = await manager.findOneByOrFail(JobEntity, { runId });
      if (job.state === "cancelled") return found;
      throw new DomainError("RUN_FINISHED", `Run ${runId} already finished (${job.state})`, { state: job.state.toUpperCase() });
    });
    this.events.publish(RUN_UPDATED, { runId } satisfies RunUpdatedMessage);
    return run;
  }

  async get(id: string): Promise<RunEntity> {
    return this.db.read((manager) => findRun(manager, id));
  }

  byIds(ids: readonly string[]): Promise<RunEntity[]> {
    return this.db.read((manager) => manager.findBy(RunEntity, { id: In([...ids]) }));
  }

  jobsByRunIds(ids: readonly string[]): Promise<JobEntity[]> {
    return this.db.read((manager) => manager.findBy(JobEntity, { runId: In([...ids]) }));
  }

  /** Newest first (see newestFirstAfter). */
  async list(query: RunListQuery): Promise<Connection<RunEntity>> {
    const first = checkPageSize(query.first);
    const after = query.after == null ? undefined : decodeCursor<string>(query.after, "string");
    return this.db.read(async (manager) => {
      const filtered = manager.createQueryBuilder(RunEntity, "run").innerJoin(JobEntity, "job", "job.run_id = run.id");
      const filter = query.filter ?? {};
      if (filter.experiment != null) filtered.andWhere("run.experiment_id = :experiment", { experiment: filter.experiment });
      if (filter.status != null) filtered.andWhere("job.state IN (:...states)", { states: jobStatesOf(filter.status).map(toDbEnum) });
      const totalCount = await filtered.clone().getCount();
      const rows = await (await newestFirstAfter(manager, filtered, "run", "run", after)).limit(first + 1).getMany();
      return toConnection(rows, first, totalCount, (row) => row.id);
    });
  }

  private announce(runId: string): void {
    this.events.publish(RUN_UPDATED, { runId } satisfies RunUpdatedMessage);
    this.jobSignal.notify();
  }
}

type JobSettings = Pick<JobEntity, "device" | "minMemoryGb" | "labels" | "capabilities" | "priority" | "maxAttempts">;

async function insertRun(
  manager: EntityManager,
  experiment: ExperimentEntity,
  actor: string,
  retryOf: string | null,
  settings: JobSettings,
): Promise<RunEntity> {
  const counted: Array<{ run_seq: number }> = await manager.query(
    `WITH bumped AS (UPDATE experiment SET run_seq = run_seq + 1 WHERE id = $1 RETURNING run_seq) SELECT run_seq FROM bumped`,
    [experiment.id],
  );
  const run = await manager.save(
    manager.create(RunEntity, { experimentId: experiment.id, number: counted[0]!.run_seq, retryOf, result: null, logBytes: 0, createdBy: actor }),
  );
  await manager.save(
    manager.create(JobEntity, {
      runId: run.id,
      state: "queued",
      device: settings.device,
      minMemoryGb: settings.minMemoryGb,
      labels: settings.labels,
      capabilities: settings.capabilities,
      priority: settings.priority,
      maxAttempts: settings.maxAttempts,
      attempt: 0,
      cancelRequested: false,
    }),
  );
  return run;
}

async function lockExperiment(manager: EntityManager, id: string): Promise<ExperimentEntity> {
  const experiment = await manager.findOne(ExperimentEntity, { where: { id }, lock: { mode: "pessimistic_write" } });
  if (!experiment) throw new DomainError("EXPERIMENT_NOT_FOUND", `No experiment ${id}`, { id });
  return experiment;
}

export async function findRun(manager: EntityManager, id: string): Promise<RunEntity> {
  const run = await manager.findOneBy(RunEntity, { id });
  if (!run) throw new DomainError("RUN_NOT_FOUND", `No run ${id}`, { id });
  return run;
}
