import { join, resolve } from "node:path";
import { type ArtifactAnnouncement, type DistillSpec, LineageRelation, ModelFormat, ModelRole } from "@distillery/domain";
import type { PipelineApi } from "../../api/runner-api";
import { type ResolveContext, type ResolvedModel, lookUpModelVersion } from "../resolve-inputs";
import type { StepContext } from "../step-executor";
import { type ModelEvaluation, evaluateModels } from "./evaluate-models";
import { resolveExtractor } from "./extractor-input";
import { type QuantizedVariant, quantizeVariants } from "./quantize-variants";
import { type UnetVersion, resolveUnetVersion, unetShapeOf } from "./unet-version";

/** The trainer's announcement of the student's ONNX export (trainer-steps: EXPORTED_FROM "student"). */
const STUDENT_ONNX = "student-onnx";

export interface DistillOutputs {
  /** Each registered version's ref, by artifact name. */
  versions: Readonly<Record<string, string>>;
  /** The trainer's announcements, by artifact name (paths relative to the job directory). */
  announced: ReadonlyMap<string, ArtifactAnnouncement>;
  /** spec.json's `resolved`: the teacher the student was distilled from. */
  resolved: Record<string, unknown>;
}

/**
 * The rest of a DISTILL job whose spec has `quantize` and/or `evaluate` sections, once the
 * trainer's student is registered: its ONNX export is quantized (variants QUANTIZED_FROM it), then
 * the teacher's ONNX export (unless includeTeacher is false), the student and its variants are
 * evaluated on the one protocol, so the leaderboard ranks them together. Returns what the job's
 * result adds: the variants' refs and the evaluations.
 */
export async function distillFollowUp(spec: DistillSpec, outputs: DistillOutputs, context: StepContext, api: PipelineApi, inputs: ResolveContext): Promise<Record<string, unknown>> {
  const announced = outputs.announced.get(STUDENT_ONNX);
  const ref = outputs.versions[STUDENT_ONNX];
  if (announced === undefined || ref === undefined) throw new Error("the trainer registered no ONNX export of the student to quantize or evaluate");
  const student: UnetVersion = {
    ref,
    path: resolve(context.jobDir, announced.path),
    model: { name: spec.output.model, role: ModelRole.STUDENT, family: spec.output.family },
    metadata: announced.metadata,
    shape: unetShapeOf(ref, announced.metadata),
  };

  let variants: QuantizedVariant[] = [];
  if (spec.quantize) {
    variants = await quantizeVariants(student, spec.quantize, "student-", { ...context, api, directory: join(context.jobDir, "variants") });
  }
  let evaluations: ModelEvaluation[] = [];
  if (spec.evaluate) {
    const extractor = await resolveExtractor(spec.evaluate.protocol.extractor, inputs);
    const teacher = spec.evaluate.includeTeacher ? await teacherExport(outputs.resolved.teacher as ResolvedModel, context, inputs) : undefined;
    const models = [...(teacher ? [teacher] : []), student, ...variants.map((variant) => variant.version)];
    evaluations = await evaluateModels(models, spec.evaluate.protocol, extractor, { ...context, api });
  }
  return {
    ...(variants.length > 0 ? { variants: Object.fromEntries(variants.map(({ method, version }) => [method, version.ref])) } : {}),
    ...(spec.evaluate ? { evaluations } : {}),
  };
}

/**
 * The teacher the student learned from, as ONNX: the newest ONNX version EXPORTED_FROM the TORCH
 * version the job resolved. A teacher without one is left out, with a line in the run's log.
 */
async function teacherExport(teacher: ResolvedModel, context: StepContext, inputs: ResolveContext): Promise<UnetVersion | undefined> {
  const version = await lookUpModelVersion(teacher.ref, "teacher", inputs);
  const exports = version.children.filter((child) => child.relation === LineageRelation.EXPORTED_FROM && child.version.format === ModelFormat.ONNX);
  const newest = exports.map((child) => child.version.ref).sort(byVersionNumber).at(-1);
  if (newest === undefined) {
    context.reporter.log(`the teacher ${teacher.ref} has no ONNX export: it is not evaluated`);
    return undefined;
  }
  return resolveUnetVersion(newest, "teacher", inputs);
}

function byVersionNumber(a: string, b: string): number {
  const number = (ref: string) => Number(ref.slice(ref.lastIndexOf("@v") + 2));
  return number(a) - number(b);
}
