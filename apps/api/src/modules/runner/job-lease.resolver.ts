import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { FailureKind, Scope } from "@distillery/domain";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toExperimentType } from "../experiment/experiment.mapper";
import { ExperimentType } from "../experiment/experiment.type";
import type { JobEntity } from "../run/job.entity";
import { toJobType, toRunType } from "../run/run.mapper";
import { JobType, RunType } from "../run/run.type";
import { toModelVersionType } from "../model-version/model-version.mapper";
import { ModelVersionType } from "../model-version/model-version.type";
import { RegisterJobArtifactInput } from "./job-artifact.inputs";
import { MetricPointInput } from "./runner.inputs";
import { AppendLogsPayload, HeartbeatPayload, JobLeaseType, LogMetricsPayload } from "./runner.type";

/** The runner protocol (RUNNER scope). Every job-scoped call is fenced by leaseId. */
@Resolver(() => JobLeaseType)
export class JobLeaseResolver {
  @Authorized(Scope.RUNNER)
  @Mutation(() => JobLeaseType, { nullable: true, description: "Long-polls up to waitSeconds (max 25) for a job this runner can take." })
  async acquireJob(
    @Arg("runner", () => ID) runner: string,
    @Arg("waitSeconds", () => Int, { defaultValue: 0 }) waitSeconds: number,
    @Ctx() { services, abortSignal }: GraphQLContext,
  ): Promise<JobLeaseType | null> {
    const job = await services.jobLeases.acquire(runner, waitSeconds, abortSignal);
    return job ? toLease(job, services.leaseSeconds) : null;
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => HeartbeatPayload, { description: "Extends the lease; send at least every leaseSeconds / 6." })
  async heartbeat(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("progress", () => Float, { nullable: true }) progress: number | null,
    @Ctx() { services }: GraphQLContext,
  ): Promise<HeartbeatPayload> {
    const beaten = await services.jobLeases.heartbeat(job, leaseId, progress ?? null);
    return { cancelRequested: beaten.cancelRequested, leaseExpiresAt: beaten.leaseExpiresAt! };
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => LogMetricsPayload, { description: "Idempotent by batchId; points are unique per (run, key, step). At most 10000 points." })
  async logMetrics(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("batchId") batchId: string,
    @Arg("points", () => [MetricPointInput]) points: MetricPointInput[],
    @Ctx() { services }: GraphQLContext,
  ): Promise<LogMetricsPayload> {
    const normalized = points.map((point) => ({ key: point.key, step: point.step, value: point.value, ...(point.time ? { time: point.time.toISOString() } : {}) }));
    const { accepted, duplicate } = await services.jobLeases.logMetrics(job, leaseId, batchId, normalized);
    return { accepted, duplicate };
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => AppendLogsPayload, { description: "offset is the UTF-8 byte offset of text in the log; bytes already there are skipped." })
  async appendLogs(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("offset", () => GraphQLSafeInt) offset: number,
    @Arg("text") text: string,
    @Ctx() { services }: GraphQLContext,
  ): Promise<AppendLogsPayload> {
    return { nextOffset: await services.jobLeases.appendLogs(job, leaseId, offset, text) };
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => JobType, { description: "Idempotent." })
  async completeJob(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("result", () => GraphQLJSONObject, { nullable: true }) result: Record<string, unknown> | null,
    @Ctx() { services }: GraphQLContext,
  ): Promise<JobType> {
    return toJobType(await services.jobLeases.complete(job, leaseId, result ?? null));
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => JobType, { description: "Idempotent. USER_ERROR fails the run; INFRA_ERROR retries with backoff up to maxAttempts." })
  async failJob(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("kind", () => FailureKind) kind: FailureKind,
    @Arg("message") message: string,
    @Ctx() { services }: GraphQLContext,
  ): Promise<JobType> {
    return toJobType(await services.jobLeases.fail(job, leaseId, kind, message));
  }

  @Authorized(Scope.RUNNER)
  @Mutation(() => ModelVersionType, { description: "Registers a model version the job produced (its blob uploaded first); idempotent per run and artifact." })
  async registerJobArtifact(
    @Arg("job", () => ID) job: string,
    @Arg("leaseId", () => ID) leaseId: string,
    @Arg("input") input: RegisterJobArtifactInput,
    @Ctx() { services, principal }: GraphQLContext,
  ): Promise<ModelVersionType> {
    return toModelVersionType(await services.jobArtifacts.register(job, leaseId, input, principal.owner));
  }

  @FieldResolver(() => JobType)
  async job(@Root() lease: JobLeaseType, @Ctx() { loaders }: GraphQLContext): Promise<JobType> {
    return toJobType(await loadRequired(loaders.jobByRunId, lease.runId, "job of run"));
  }

  @FieldResolver(() => RunType)
  async run(@Root() lease: JobLeaseType, @Ctx() { loaders }: GraphQLContext): Promise<RunType> {
    return toRunType(await loadRequired(loaders.runById, lease.runId, "run"));
  }

  @FieldResolver(() => ExperimentType)
  async experiment(@Root() lease: JobLeaseType, @Ctx() { loaders }: GraphQLContext): Promise<ExperimentType> {
    const run = await loadRequired(loaders.runById, lease.runId, "run");
    return toExperimentType(await loadRequired(loaders.experimentById, run.experimentId, "experiment"));
  }
}

function toLease(job: JobEntity, leaseSeconds: number): JobLeaseType {
  return { leaseId: job.leaseId!, leaseExpiresAt: job.leaseExpiresAt!, leaseSeconds, jobId: job.id, runId: job.runId };
}
