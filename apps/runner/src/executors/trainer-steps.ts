import {
  type ArtifactAnnouncement,
  type DistillSpec,
  ExperimentKind,
  type ExtractorSpec,
  LineageRelation,
  ModelFormat,
  ModelRole,
  Precision,
  type PretrainSpec,
} from "@distillery/domain";
import type { PipelineApi } from "../api/runner-api";
import type { LineageParentInput } from "../api/types";
import { type DistillOutputs, distillFollowUp } from "./onnx/distill-follow-up";
import { type ResolveContext, type ResolvedModel, resolveModelInput } from "./resolve-inputs";
import type { StepContext } from "./step-executor";

/** Where one announced artifact is registered. */
export interface ArtifactTarget {
  model: string;
  role: ModelRole;
  family: string;
  /** FP32 unless the step says otherwise (a quantizer's INT8 export). */
  precision?: Precision;
  /** Lineage the spec knows of (a student DISTILLED_FROM its teacher's ref). */
  parents?: LineageParentInput[];
  /**
   * The earlier artifact of the same step this one is an export of (EXPORTED_FROM its version);
   * by default the announcement's metadata.exportedFrom.
   */
  exportedFrom?: string;
  /** Merged over the announced metadata (the extractor's referenceStats). */
  metadata?: Record<string, unknown>;
}

/** How an announced artifact is published: a model version, or a blob some version's metadata names. */
export type ArtifactPublication = { as: "version"; target: ArtifactTarget } | { as: "blob" };

/** A blob-only artifact once uploaded. */
export interface PublishedBlob {
  /** sha256:<hex> */
  digest: string;
  /** As announced. */
  metadata: Record<string, unknown>;
}

/** What a step knows when it places an artifact. */
export interface PublishInputs {
  /** spec.json's `resolved`: what the step's resolver handed the trainer. */
  resolved: Record<string, unknown>;
  /** Blob-only artifacts uploaded so far, by name. They go up before any version is registered. */
  blobs: Readonly<Record<string, PublishedBlob>>;
}

/**
 * One experiment kind the Python trainer runs: its inputs are resolved (`resolve`, written into
 * spec.json as `resolved`), `python -m distillery_trainer <command> --spec spec.json --work-dir DIR`
 * runs, then each artifact it announced is uploaded and published as `publish` says.
 */
export interface TrainerStep {
  kind: ExperimentKind;
  /** The trainer's sub-command. */
  command: string;
  /** Inputs fetched before the trainer starts; throws InputError. No resolver: `resolved` is {}. */
  resolve?(spec: Record<string, unknown>, context: ResolveContext): Promise<Record<string, unknown>>;
  /** `spec` has been through validateExperimentSpec(kind, …). Undefined: the artifact is not published. */
  publish(spec: Record<string, unknown>, artifact: ArtifactAnnouncement, inputs: PublishInputs): ArtifactPublication | undefined;
  /** Work the spec asks for once the artifacts are registered; what it returns joins the job's result. */
  followUp?(spec: Record<string, unknown>, outputs: DistillOutputs, context: StepContext, api: PipelineApi, inputs: ResolveContext): Promise<Record<string, unknown>>;
}

/** The artifact of a DISTILL that is the student (the others are its exports). */
const STUDENT = "student";
/** The EXTRACTOR's reference statistics: an npz blob the extractor's metadata names. */
const REFERENCE_STATS = "reference-stats";

export const TRAINER_STEPS: readonly TrainerStep[] = [
  {
    kind: ExperimentKind.PRETRAIN,
    command: "pretrain",
    // The teacher and its ONNX export are versions of the same model.
    publish: (spec) => {
      const { output } = spec as PretrainSpec;
      return version({ model: output.model, role: ModelRole.TEACHER, family: output.family });
    },
  },
  {
    kind: ExperimentKind.DISTILL,
    command: "distill",
    resolve: async (spec, context) => ({ teacher: await resolveModelInput((spec as DistillSpec).teacher, ModelFormat.TORCH, "teacher", context) }),
    // The student DISTILLED_FROM the teacher version the ref resolved to, with the recipe the
    // trainer recorded; its ONNX export EXPORTED_FROM the student.
    publish: (spec, artifact, { resolved }) => {
      const { output, strategy, student, training } = spec as DistillSpec;
      const target: ArtifactTarget = { model: output.model, role: ModelRole.STUDENT, family: output.family };
      if (artifact.name !== STUDENT) {
        const exportedFrom = exportSource(artifact) ?? (artifact.kind === "onnx" ? STUDENT : undefined);
        return version(exportedFrom === undefined ? target : { ...target, exportedFrom });
      }
      const teacher = resolved.teacher as ResolvedModel;
      const announced = artifact.metadata.recipe;
      const recipe = isObject(announced) ? announced : { strategy, student, teacher: teacher.ref, training };
      return version({ ...target, parents: [{ ref: teacher.ref, relation: LineageRelation.DISTILLED_FROM, recipe }] });
    },
    // train -> export -> quantize -> evaluate in one job when the spec has those sections.
    followUp: async (spec, outputs, context, api, inputs) => {
      const distill = spec as DistillSpec;
      return distill.quantize || distill.evaluate ? distillFollowUp(distill, outputs, context, api, inputs) : {};
    },
  },
  {
    kind: ExperimentKind.EXTRACTOR,
    command: "extractor",
    resolve: async () => ({}),
    // The reference statistics are not a model: a blob, named in the extractor's metadata.
    publish: (spec, artifact, { blobs }) => {
      if (artifact.name === REFERENCE_STATS) return { as: "blob" };
      const { output, dataset, referenceSamples } = spec as ExtractorSpec;
      const stats = blobs[REFERENCE_STATS];
      const referenceStats = stats && { digest: stats.digest, samples: stats.metadata.samples ?? referenceSamples, dataset: stats.metadata.dataset ?? dataset };
      return version({ model: output.model, role: ModelRole.EXTRACTOR, family: output.family, ...(referenceStats ? { metadata: { referenceStats } } : {}) });
    },
  },
];

/** The registry's format for an announcement's `kind`; any other kind (npz, …) can only be a blob. */
export const ARTIFACT_FORMATS: Readonly<Record<string, ModelFormat>> = {
  torch: ModelFormat.TORCH,
  onnx: ModelFormat.ONNX,
};

function version(target: ArtifactTarget): ArtifactPublication {
  return { as: "version", target };
}

function exportSource(artifact: ArtifactAnnouncement): string | undefined {
  const from = artifact.metadata.exportedFrom;
  return typeof from === "string" ? from : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
