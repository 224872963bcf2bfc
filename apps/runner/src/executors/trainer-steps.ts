import { type ArtifactAnnouncement, ExperimentKind, ModelFormat, ModelRole, Precision, type PretrainSpec } from "@distillery/domain";
import type { LineageParentInput } from "../api/types";

/** Where one announced artifact is registered. */
export interface ArtifactTarget {
  model: string;
  role: ModelRole;
  family: string;
  /** FP32 unless the step says otherwise (a quantizer's INT8 export). */
  precision?: Precision;
  /**
   * Lineage the spec knows of (a student DISTILLED_FROM its teacher's ref). EXPORTED_FROM an
   * earlier artifact of the same step is added from the announcement's metadata.exportedFrom.
   */
  parents?: LineageParentInput[];
}

/**
 * One experiment kind the Python trainer runs: `python -m distillery_trainer <command> --spec
 * spec.json --work-dir DIR`, then each artifact it announced is uploaded and registered where
 * `target` says. Adding DISTILL or EXTRACTOR is one more entry in TRAINER_STEPS.
 */
export interface TrainerStep {
  kind: ExperimentKind;
  /** The trainer's sub-command. */
  command: string;
  /** `spec` has been through validateExperimentSpec(kind, …). Undefined: the artifact is not registered. */
  target(spec: Record<string, unknown>, artifact: ArtifactAnnouncement): ArtifactTarget | undefined;
}

export const TRAINER_STEPS: readonly TrainerStep[] = [
  {
    kind: ExperimentKind.PRETRAIN,
    command: "pretrain",
    // The teacher and its ONNX export are versions of the same model.
    target: (spec) => {
      const { output } = spec as PretrainSpec;
      return { model: output.model, role: ModelRole.TEACHER, family: output.family };
    },
  },
];

/** The registry's format for an announcement's `kind`; what is not here (npz, …) is not registered. */
export const ARTIFACT_FORMATS: Readonly<Record<string, ModelFormat>> = {
  torch: ModelFormat.TORCH,
  onnx: ModelFormat.ONNX,
};
