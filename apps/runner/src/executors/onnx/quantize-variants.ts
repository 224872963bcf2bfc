import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactAnnouncement, LineageRelation, QUANTIZATION_PRECISION, type QuantizationMethod, type QuantizeSection } from "@distillery/domain";
import { NoiseSchedule, samplerCalibrationFeeds } from "@distillery/eval";
import { type Feeds, quantize } from "@distillery/onnx";
import * as ort from "onnxruntime-node";
import type { ArtifactApi } from "../../api/runner-api";
import type { Logger } from "../../log/logger";
import { publishArtifacts } from "../publish-artifacts";
import type { StepReporter } from "../step-executor";
import type { UnetVersion } from "./unet-version";

/** Model inputs per calibration batch: the sampler runs this many trajectories side by side. */
const CALIBRATION_BATCH = 16;

export interface QuantizeContext {
  api: ArtifactApi;
  jobId: string;
  leaseId: string;
  /** Where the variants' files are written. */
  directory: string;
  signal: AbortSignal;
  reporter: StepReporter;
  logger: Logger;
}

/** A registered variant, as the job's result and the evaluation after it see it. */
export interface QuantizedVariant {
  method: QuantizationMethod;
  version: UnetVersion;
}

/**
 * Makes each variant `section` asks for from the ONNX UNet `source`, and registers it as a version
 * of the same model, QUANTIZED_FROM the source with the settings on the edge. int8-static is
 * calibrated on the fp32 model's own DDIM trajectories (every step of `calibration.samples`
 * images, classes cycling), so its activation ranges cover every timestep the sampler visits;
 * the output error of every variant is measured on trajectories from the next seed, never seen
 * in calibration. Artifact names are `<prefix><method>`, unique within the job, so a retried
 * job registers the same versions again (idempotent per run and artifact).
 */
export async function quantizeVariants(source: UnetVersion, section: QuantizeSection, prefix: string, context: QuantizeContext): Promise<QuantizedVariant[]> {
  const sourceBytes = new Uint8Array(await readFile(source.path));
  const { calibration } = section;
  const { shape } = source;
  const schedule = new NoiseSchedule(shape.schedule);
  // One fp32 session records both sets: held-out trajectories from the next seed, never seen in calibration.
  const session = await ort.InferenceSession.create(source.path, { executionProviders: ["cpu"] });
  let heldOut: Feeds[];
  let calibrationFeeds: Feeds[] = [];
  try {
    const trajectoryFeeds = (samples: number, seed: number) =>
      samplerCalibrationFeeds(session, schedule, { ...shape, samples, steps: calibration.steps, seed, batch: CALIBRATION_BATCH });
    heldOut = await trajectoryFeeds(section.heldOutSamples, calibration.seed + 1);
    if (section.methods.includes("int8-static")) calibrationFeeds = await trajectoryFeeds(calibration.samples, calibration.seed);
  } finally {
    await session.release();
  }
  context.reporter.log(
    `quantizing ${source.ref}: ${section.methods.join(", ")}; calibration ${calibration.method} over ${calibration.samples} trajectories x ${calibration.steps} steps, error on ${section.heldOutSamples} held-out trajectories`,
  );

  await mkdir(context.directory, { recursive: true });
  const announcements: ArtifactAnnouncement[] = [];
  for (const method of section.methods) {
    if (context.signal.aborted) throw context.signal.reason;
    const started = Date.now();
    const result = await quantize(sourceBytes, {
      precision: method,
      heldOut,
      ...(method === "int8-static"
        ? { calibration: { method: calibration.method, percentile: calibration.percentile, feeds: calibrationFeeds }, staticOptions: { activations: calibration.activations } }
        : {}),
    });
    const path = join(context.directory, `${method}.onnx`);
    await writeFile(path, result.bytes);
    const worst = Math.max(...(result.error ?? []).map((error) => error.relativeRmse));
    context.reporter.log(`${method}: ${result.bytes.byteLength} bytes (fp32 ${sourceBytes.byteLength}), relative RMSE vs fp32 ${worst.toPrecision(3)}, ${Date.now() - started} ms`);
    context.reporter.metric({ key: `quantize/${method}/relative_rmse`, step: 0, value: worst });
    announcements.push({
      name: `${prefix}${method}`,
      path,
      kind: "onnx",
      metadata: {
        ...inheritedMetadata(source.metadata),
        quantization: result.quantization,
        outputError: result.error ?? [],
        onnx: { opset: result.inspection.opset, inputs: result.inspection.inputs, outputs: result.inspection.outputs, bytes: result.bytes.byteLength },
      },
    });
  }

  const recipe = (method: QuantizationMethod) => ({ method, ...(method === "int8-static" ? { calibration } : {}), heldOutSamples: section.heldOutSamples });
  const { versions } = await publishArtifacts(announcements, {
    api: context.api,
    jobId: context.jobId,
    leaseId: context.leaseId,
    signal: context.signal,
    reporter: context.reporter,
    logger: context.logger,
    resolvePath: (path) => path,
    publication: (artifact) => {
      const method = artifact.name.slice(prefix.length) as QuantizationMethod;
      return {
        as: "version",
        target: {
          model: source.model.name,
          role: source.model.role,
          family: source.model.family,
          precision: QUANTIZATION_PRECISION[method],
          parents: [{ ref: source.ref, relation: LineageRelation.QUANTIZED_FROM, recipe: recipe(method) }],
        },
      };
    },
  });
  return announcements.map((artifact) => {
    const method = artifact.name.slice(prefix.length) as QuantizationMethod;
    const ref = versions[artifact.name]!;
    return { method, version: { ...source, ref, path: artifact.path, metadata: artifact.metadata } };
  });
}

/**
 * What a variant keeps of its source's metadata: the architecture, schedule and parameter count
 * still describe it; the export details and the recipe (on the source's own edge) do not.
 */
function inheritedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const { onnx: _onnx, exportedFrom: _exportedFrom, recipe: _recipe, ...kept } = metadata;
  return kept;
}
