import { Arg, Args, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { GraphQLJSONObject, GraphQLSafeInt } from "graphql-scalars";
import { runStatusOf, RunStatus, Scope } from "@distillery/domain";
import { mapConnection } from "../../graphql/connection";
import type { GraphQLContext } from "../../graphql/context";
import { loadRequired } from "../../graphql/load-required";
import { toExperimentType } from "../experiment/experiment.mapper";
import { ExperimentType } from "../experiment/experiment.type";
import { RunnerType } from "../runner/runner.type";
import { LaunchExperimentInput, LogsArgs, MetricsArgs, RunsArgs } from "./run.inputs";
import { toJobType, toRunType } from "./run.mapper";
import { JobType, MetricSeriesType, RunConnection, RunLogsType, RunRequirementsType, RunType } from "./run.type";
import { RUN_METRICS, RUN_UPDATED, type RunMetricsMessage, type RunUpdatedMessage } from "./run.events";

@Resolver(() => RunType)
export class RunResolver {
  @Authorized(Scope.WRITE)
  @Mutation(() => RunType, { description: "Queues a run of the experiment; a runner that meets the requirements leases it." })
  async launchExperiment(@Arg("input") input: LaunchExperimentInput, @Ctx() { services, principal }: GraphQLContext): Promise<RunType> {
    return toRunType(await services.runs.launch(input, principal.owner));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => RunType, { description: "Idempotent. Queued runs stop at once; running ones when their runner obeys or its lease expires." })
  async cancelRun(@Arg("id", () => ID) id: string, @Ctx() { services }: GraphQLContext): Promise<RunType> {
    return toRunType(await services.runs.cancel(id));
  }

  @Authorized(Scope.WRITE)
  @Mutation(() => RunType, { description: "Launches a finished run again, as a new run with the same requirements." })
  async retryRun(@Arg("id", () => ID) id: string, @Ctx() { services, principal }: GraphQLContext): Promise<RunType> {
    return toRunType(await services.runs.retry(id, principal.owner));
  }

  @Authorized(Scope.READ)
  @Query(() => RunConnection, { description: "Newest first." })
  async runs(@Args() args: RunsArgs, @Ctx() { services }: GraphQLContext): Promise<RunConnection> {
    return mapConnection(await services.runs.list(args), toRunType);
  }

  @Authorized(Scope.READ)
  @Query(() => RunType, { description: "Fails with RUN_NOT_FOUND." })
  async run(@Arg("id", () => ID) id: string, @Ctx() { services }: GraphQLContext): Promise<RunType> {
    return toRunType(await services.runs.get(id));
  }

  @Authorized(Scope.READ)
  @Subscription(() => RunType, {
    topics: RUN_UPDATED,
    filter: ({ payload, args }: { payload: RunUpdatedMessage; args: { id: string } }) => payload.runId === args.id,
    description: "The run each time its job changes state, progress or lease.",
  })
  async runUpdated(@Root() message: RunUpdatedMessage, @Arg("id", () => ID) _id: string, @Ctx() context: GraphQLContext): Promise<RunType> {
    context.renewLoaders();
    return toRunType(await context.services.runs.get(message.runId));
  }

  @Authorized(Scope.READ)
  @Subscription(() => [MetricSeriesType], {
    topics: RUN_METRICS,
    filter: ({ payload, args }: { payload: RunMetricsMessage; args: { run: string; keys?: string[] | null } }) =>
      payload.runId === args.run && (!args.keys || payload.points.some((point) => args.keys!.includes(point.key))),
    description: "New points as they are stored, grouped by key (only the asked keys, when given).",
  })
  runMetrics(
    @Root() message: RunMetricsMessage,
    @Arg("run", () => ID) _run: string,
    @Arg("keys", () => [String], { nullable: true }) keys: string[] | null,
  ): MetricSeriesType[] {
    const byKey = new Map<string, MetricSeriesType>();
    for (const point of message.points) {
      if (keys && !keys.includes(point.key)) continue;
      const series = byKey.get(point.key) ?? { key: point.key, totalPoints: 0, points: [] };
      series.points.push({ step: point.step, value: point.value, time: new Date(point.time) });
      series.totalPoints = series.points.length;
      byKey.set(point.key, series);
    }
    return [...byKey.values()];
  }

  @Authorized(Scope.READ)
  @Subscription(() => RunLogsType, {
    subscribe: ({ args, context }) => (context as GraphQLContext).services.runLogFollower.follow(args.run, args.offset),
    description:
      "The run's log from offset (UTF-8 bytes): what is stored, in slices of at most 1 MiB, then each append as it commits. Completes once the run has finished and all of its log was sent. Fails with RUN_NOT_FOUND.",
  })
  runLogs(
    @Root() slice: RunLogsType,
    @Arg("run", () => ID) _run: string,
    @Arg("offset", () => GraphQLSafeInt, { defaultValue: 0 }) _offset: number,
  ): RunLogsType {
    return slice;
  }

  @FieldResolver(() => ExperimentType)
  async experiment(@Root() run: RunType, @Ctx() { loaders }: GraphQLContext): Promise<ExperimentType> {
    return toExperimentType(await loadRequired(loaders.experimentById, run.experimentId, "experiment"));
  }

  @FieldResolver(() => JobType)
  async job(@Root() run: RunType, @Ctx() { loaders }: GraphQLContext): Promise<JobType> {
    return toJobType(await loadRequired(loaders.jobByRunId, run.id, "job of run"));
  }

  @FieldResolver(() => RunStatus)
  async status(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<RunStatus> {
    return runStatusOf((await this.job(run, ctx)).state);
  }

  @FieldResolver(() => Int, { description: "How many times the run's job has been leased." })
  async attempt(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<number> {
    return (await this.job(run, ctx)).attempt;
  }

  @FieldResolver(() => RunRequirementsType)
  async requirements(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<RunRequirementsType> {
    return (await this.job(run, ctx)).requirements;
  }

  @FieldResolver(() => Date, { nullable: true, description: "When a runner first leased it." })
  async startedAt(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return (await this.job(run, ctx)).startedAt;
  }

  @FieldResolver(() => Date, { nullable: true })
  async finishedAt(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return (await this.job(run, ctx)).finishedAt;
  }

  @FieldResolver(() => Float, { nullable: true, description: "0..1 as last reported by the runner." })
  async progress(@Root() run: RunType, @Ctx() ctx: GraphQLContext): Promise<number | null> {
    return (await this.job(run, ctx)).progress;
  }

  @FieldResolver(() => String, { nullable: true, description: "Why a queued run is not running yet." })
  async waitingReason(@Root() run: RunType, @Ctx() { loaders, services }: GraphQLContext): Promise<string | null> {
    return services.waitingReason(await loadRequired(loaders.jobByRunId, run.id, "job of run"));
  }

  @FieldResolver(() => GraphQLJSONObject, { description: "The newest value of every metric key." })
  async summary(@Root() run: RunType, @Ctx() { loaders }: GraphQLContext): Promise<Record<string, number>> {
    const latest = await loaders.latestMetricsByRunId.load(run.id);
    return Object.fromEntries(latest.map((row) => [row.key, row.value]));
  }

  @FieldResolver(() => [String])
  async metricKeys(@Root() run: RunType, @Ctx() { loaders }: GraphQLContext): Promise<string[]> {
    return (await loaders.latestMetricsByRunId.load(run.id)).map((row) => row.key);
  }

  @FieldResolver(() => [MetricSeriesType])
  async metrics(@Root() run: RunType, @Args() args: MetricsArgs, @Ctx() { services }: GraphQLContext): Promise<MetricSeriesType[]> {
    return services.metrics.series(run.id, args.keys ?? null, args.maxPoints);
  }

  @FieldResolver(() => RunLogsType)
  async logs(@Root() run: RunType, @Args() args: LogsArgs, @Ctx() { services, loaders }: GraphQLContext): Promise<RunLogsType> {
    const stored = await loadRequired(loaders.runById, run.id, "run");
    return services.runLogs.read(run.id, stored.logBytes, args.offset, args.limit);
  }

  @FieldResolver(() => RunType, { nullable: true, description: "The run this one retried." })
  async retryOf(@Root() run: RunType, @Ctx() { loaders }: GraphQLContext): Promise<RunType | null> {
    return run.retryOfId ? toRunType(await loadRequired(loaders.runById, run.retryOfId, "run")) : null;
  }
}

@Resolver(() => JobType)
export class JobResolver {
  @FieldResolver(() => RunnerType, { nullable: true, description: "Who holds (or last held) the lease." })
  async runner(@Root() job: JobType, @Ctx() { loaders }: GraphQLContext): Promise<RunnerType | null> {
    return job.runnerId ? ((await loaders.runnerById.load(job.runnerId)) ?? null) : null;
  }
}

