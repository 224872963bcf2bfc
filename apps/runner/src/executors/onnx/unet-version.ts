import { FailureKind, ModelFormat, type ModelRole } from "@distillery/domain";
import { InputError, type ResolveContext, fetchModelVersion } from "../resolve-inputs";

/** An ONNX UNet version on this machine: what quantize and evaluate need of it. */
export interface UnetVersion {
  /** name@v<N> */
  ref: string;
  /** The ONNX file, absolute (the runner's cache, or the trainer's output). */
  path: string;
  model: { name: string; role: ModelRole; family: string };
  metadata: Record<string, unknown>;
  shape: UnetShape;
}

/** What the sampler needs to know of a UNet, from the metadata the trainer recorded. */
export interface UnetShape {
  channels: number;
  resolution: number;
  /** Conditional classes 0..classes-1 (class `classes` is the trainer's null class, never sampled). */
  classes: number;
  schedule: { kind: "cosine" | "linear"; steps: number };
}

/**
 * Reads the trainer's `architecture` (UNetConfig: resolution, in_channels, num_classes) and
 * `schedule` from a version's metadata. A version without them was not made by the trainer (or
 * by a variant of one): the experiment named the wrong model, a USER_ERROR.
 */
export function unetShapeOf(ref: string, metadata: Record<string, unknown>): UnetShape {
  const architecture = metadata.architecture as Record<string, unknown> | undefined;
  const schedule = metadata.schedule as Record<string, unknown> | undefined;
  const resolution = architecture?.resolution;
  const channels = architecture?.in_channels;
  const classes = architecture?.num_classes;
  const kind = schedule?.kind ?? "cosine";
  const steps = schedule?.steps ?? 1000;
  // An extractor's architecture has these three too; layers_per_block is the UNet's own.
  if (!isPositiveInteger(resolution) || !isPositiveInteger(channels) || !isPositiveInteger(classes) || !isPositiveInteger(architecture?.layers_per_block)) {
    throw new InputError(`${ref} is not a UNet the trainer made: its metadata has no UNet architecture {resolution, in_channels, num_classes, layers_per_block}`, FailureKind.USER_ERROR);
  }
  if ((kind !== "cosine" && kind !== "linear") || !isPositiveInteger(steps)) {
    throw new InputError(`${ref} has a noise schedule the sampler does not know: ${JSON.stringify(schedule)}`, FailureKind.USER_ERROR);
  }
  return { channels, resolution, classes, schedule: { kind, steps } };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** Resolves an ONNX UNet version by ref and makes its file available (the runner's cache). */
export async function resolveUnetVersion(ref: string, role: string, context: ResolveContext): Promise<UnetVersion> {
  const { version, path } = await fetchModelVersion(ref, ModelFormat.ONNX, role, context);
  return { ref: version.ref, path, model: version.model, metadata: version.metadata ?? {}, shape: unetShapeOf(version.ref, version.metadata ?? {}) };
}
