import { DomainError, FailureKind } from "@distillery/domain";
import { OnnxError } from "@distillery/onnx";
import { describeError, isLeaseLost } from "@distillery/client";
import { PublishError } from "../publish-artifacts";
import { InputError } from "../resolve-inputs";
import type { StepContext, StepOutcome } from "../step-executor";

/**
 * Runs the body of a step that works in the runner's own process (quantize, evaluate) and says
 * what its end means: a stop when the job was stopped or its lease is gone, the experiment's
 * mistake (USER_ERROR) for inputs it cannot use or a model the quantizer refuses, and anything
 * else an INFRA_ERROR that a retry may get past.
 */
export async function stepOutcome(context: StepContext, body: () => Promise<Record<string, unknown>>): Promise<StepOutcome> {
  try {
    return { status: "succeeded", result: await body() };
  } catch (error) {
    return failureOutcome(context, error);
  }
}

export function failureOutcome(context: StepContext, error: unknown): StepOutcome {
  if (context.signal.aborted) return { status: "stopped" };
  const cause = error instanceof PublishError ? error.cause : error;
  if (isLeaseLost(cause)) {
    // As when a heartbeat learns it: the job is no longer ours; stop and report nothing.
    context.leaseLost();
    return { status: "stopped" };
  }
  if (error instanceof InputError) return { status: "failed", kind: error.kind, message: error.message };
  if (error instanceof DomainError && error.reason === "INVALID_SPEC") return { status: "failed", kind: FailureKind.USER_ERROR, message: error.message };
  if (error instanceof OnnxError) return { status: "failed", kind: FailureKind.USER_ERROR, message: `${error.code}: ${error.message}` };
  return { status: "failed", kind: FailureKind.INFRA_ERROR, message: describeError(error) };
}
