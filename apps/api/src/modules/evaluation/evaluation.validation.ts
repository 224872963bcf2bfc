import { DomainError, parseDigest, validateJsonSize, validateText } from "@distillery/domain";
import type { EvaluationProtocolInput, PostEvaluationInput } from "./evaluation.inputs";

const MAX_TEXT = 2000;

/** The protocol's columns, checked; everything but the extractor, which needs the database. */
export function validateProtocol(input: EvaluationProtocolInput) {
  return {
    dataset: requiredText("protocol.dataset", input.dataset),
    referenceStats: `sha256:${parseDigest(input.referenceStats)}`,
    samples: atLeast("protocol.samples", input.samples, 2, true),
    sampler: requiredText("protocol.sampler", input.sampler),
    steps: atLeast("protocol.steps", input.steps, 1, true),
    eta: atLeast("protocol.eta", input.eta, 0, false),
    resolution: atLeast("protocol.resolution", input.resolution, 1, true),
    batch: atLeast("protocol.batch", input.batch, 1, true),
    threads: atLeast("protocol.threads", input.threads, 1, true),
    hardware: requiredText("protocol.hardware", input.hardware),
  };
}

/** The measured values, checked: finite, not negative, p95 not below p50. */
export function validateMeasurements(input: PostEvaluationInput) {
  const measured = {
    fid: atLeast("fid", input.fid, 0, false),
    latencyP50Ms: atLeast("latencyP50Ms", input.latencyP50Ms, 0, false),
    latencyP95Ms: atLeast("latencyP95Ms", input.latencyP95Ms, 0, false),
    throughput: atLeast("throughput", input.throughput, 0, false),
    peakMemoryBytes: atLeast("peakMemoryBytes", input.peakMemoryBytes, 0, true),
    params: atLeast("params", input.params, 0, true),
    details: input.details ?? {},
  };
  if (measured.latencyP95Ms < measured.latencyP50Ms) {
    throw new DomainError("INVALID_ARGUMENT", `latencyP95Ms (${input.latencyP95Ms}) is below latencyP50Ms (${input.latencyP50Ms})`, {
      field: "latencyP95Ms",
    });
  }
  validateJsonSize("details", measured.details);
  return measured;
}

function atLeast(field: string, value: number, min: number, integer: boolean): number {
  const valid = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!valid || value < min) {
    throw new DomainError("INVALID_ARGUMENT", `${field} must be ${integer ? "an integer" : "a finite number"} of at least ${min}, got ${value}`, {
      field,
    });
  }
  return value;
}

function requiredText(field: string, value: string): string {
  if (value.trim().length === 0) throw new DomainError("INVALID_ARGUMENT", `${field} must not be empty`, { field });
  return validateText(field, value, MAX_TEXT);
}
