import { readFile } from "node:fs/promises";
import { type EvaluationMeasurements, type EvaluationProtocolSpec, FailureKind } from "@distillery/domain";
import { NoiseSchedule, benchmarkGeneration, ddimSample, extractFeatures, fidAgainstReference, hardwareClass } from "@distillery/eval";
import { inspectModel, readModel } from "@distillery/onnx";
import * as ort from "onnxruntime-node";
import type { EvaluationApi } from "../../api/runner-api";
import type { EvaluationProtocolInput, PostedEvaluation } from "../../api/types";
import type { Logger } from "../../log/logger";
import { InputError } from "../resolve-inputs";
import { retrying } from "../retrying";
import type { StepReporter } from "../step-executor";
import type { EvaluationExtractor } from "./extractor-input";
import type { UnetVersion } from "./unet-version";

export interface EvaluateContext {
  api: EvaluationApi;
  jobId: string;
  leaseId: string;
  signal: AbortSignal;
  reporter: StepReporter;
  logger: Logger;
  /** After each model; an EVALUATE job reports it as its progress. */
  onModelDone?(done: number, total: number): void;
}

/** One model's result, as posted. */
export interface ModelEvaluation extends EvaluationMeasurements {
  ref: string;
  evaluationId: string;
}

/**
 * Scores every model on one protocol and posts each result with its protocol key, so the
 * leaderboard only ever ranks like with like:
 * - FID: `samples` images from the model's DDIM sampler (classes cycling, one seed for all
 *   models), features from the extractor, Frechet distance to the extractor's reference
 *   statistics in float64;
 * - latency p50/p95 and throughput of one full generation (every sampler step) at the protocol's
 *   batch and thread count, and peak RSS with onnxruntime's CPU arena off — in a fresh child
 *   process per model, so one model's memory never counts against the next;
 * - params (weights in the file) and file bytes.
 */
export async function evaluateModels(
  models: readonly UnetVersion[],
  protocol: EvaluationProtocolSpec,
  extractor: EvaluationExtractor,
  context: EvaluateContext,
): Promise<ModelEvaluation[]> {
  for (const model of models) {
    if (model.shape.resolution !== extractor.resolution || model.shape.channels !== extractor.channels) {
      throw new InputError(
        `${model.ref} makes ${model.shape.channels}x${model.shape.resolution}x${model.shape.resolution} images but the extractor ${extractor.ref} reads ${extractor.channels}x${extractor.resolution}x${extractor.resolution}`,
        FailureKind.USER_ERROR,
      );
    }
  }
  const hardware = hardwareClass();
  const results: ModelEvaluation[] = [];
  const extractorSession = await ort.InferenceSession.create(extractor.path, sessionOptions(protocol.threads));
  try {
    for (const [index, model] of models.entries()) {
      if (context.signal.aborted) throw context.signal.reason;
      const result = await evaluateOne(model, protocol, extractor, extractorSession, hardware, context);
      results.push(result);
      context.onModelDone?.(index + 1, models.length);
    }
  } finally {
    await extractorSession.release();
  }
  return results;
}

async function evaluateOne(
  model: UnetVersion,
  protocol: EvaluationProtocolSpec,
  extractor: EvaluationExtractor,
  extractorSession: ort.InferenceSession,
  hardware: string,
  context: EvaluateContext,
): Promise<ModelEvaluation> {
  const { shape } = model;
  const schedule = new NoiseSchedule(shape.schedule);
  const { steps, eta } = protocol.sampler;
  const started = Date.now();

  const session = await ort.InferenceSession.create(model.path, sessionOptions(protocol.threads));
  let images: Float32Array;
  try {
    const classLabels = Array.from({ length: protocol.samples }, (_, index) => index % shape.classes);
    ({ images } = await ddimSample(session, schedule, { channels: shape.channels, resolution: shape.resolution, classLabels, steps, eta, seed: protocol.seed, batch: protocol.batch }));
  } finally {
    await session.release();
  }
  const features = await extractFeatures(extractorSession, images, protocol.samples, {
    channels: shape.channels,
    resolution: shape.resolution,
    batch: protocol.batch,
    output: extractor.featureOutput,
  });
  const { fid } = await fidAgainstReference(features, protocol.samples, extractor.reference.dim, extractor.reference, { threads: protocol.threads });
  const fidMs = Date.now() - started;

  const benchmark = await benchmarkGeneration(model.path, {
    channels: shape.channels,
    resolution: shape.resolution,
    classes: shape.classes,
    schedule: shape.schedule,
    steps,
    batch: protocol.batch,
    threads: protocol.threads,
    warmupRuns: protocol.latency.warmupRuns,
    runs: protocol.latency.runs,
    seed: protocol.seed,
  });
  const bytes = new Uint8Array(await readFile(model.path));
  const params = inspectModel(readModel(bytes)).params;

  const protocolInput: EvaluationProtocolInput = {
    dataset: extractor.dataset,
    extractor: extractor.ref,
    referenceStats: extractor.referenceDigest,
    samples: protocol.samples,
    sampler: protocol.sampler.kind,
    steps,
    eta,
    resolution: shape.resolution,
    batch: protocol.batch,
    threads: protocol.threads,
    hardware,
  };
  const measured: EvaluationMeasurements = {
    fid,
    latencyP50Ms: benchmark.latencyP50Ms,
    latencyP95Ms: benchmark.latencyP95Ms,
    throughput: benchmark.throughput,
    peakMemoryBytes: benchmark.peakRssBytes,
    params,
  };
  const details = {
    baselineRssBytes: benchmark.baselineRssBytes,
    meanMs: benchmark.meanMs,
    onnxRunMs: benchmark.onnxRunMs,
    latencyRuns: benchmark.runs,
    fidSeconds: fidMs / 1000,
    seed: protocol.seed,
    ...(model.metadata.outputError ? { outputError: model.metadata.outputError } : {}),
  };
  const posted: PostedEvaluation = await retrying(
    `posting the evaluation of ${model.ref}`,
    () => context.api.postEvaluation(context.jobId, context.leaseId, { version: model.ref, protocol: protocolInput, ...measured, details }, context.signal),
    context,
  );
  context.reporter.log(
    `evaluated ${model.ref}: FID ${fid.toFixed(2)}, latency p50 ${benchmark.latencyP50Ms.toFixed(1)} ms / p95 ${benchmark.latencyP95Ms.toFixed(1)} ms (batch ${protocol.batch}, ${steps} steps), ` +
      `${benchmark.throughput.toFixed(1)} images/s, peak RSS ${(benchmark.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${params} params`,
  );
  return { ref: model.ref, ...measured, evaluationId: posted.id };
}

/** The protocol's thread count, one graph at a time: what latency is measured under too. */
function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return { executionProviders: ["cpu"], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" };
}
