import { join } from "node:path";
import { type EvaluateSpec, ExperimentKind, type QuantizeSpec, validateExperimentSpec } from "@distillery/domain";
import type { PipelineApi } from "../../api/runner-api";
import { resolveContextFor } from "../resolve-inputs";
import type { StepContext, StepExecutor, StepOutcome } from "../step-executor";
import { evaluateModels } from "./evaluate-models";
import { resolveExtractor } from "./extractor-input";
import { quantizeVariants } from "./quantize-variants";
import { stepOutcome } from "./step-outcome";
import { resolveUnetVersion } from "./unet-version";

/**
 * QUANTIZE: fp16 / int8 variants of one ONNX UNet version, each registered QUANTIZED_FROM it.
 * Runs in the runner's own process (onnxruntime-node); a retried job makes the same files and
 * registers the same versions again (idempotent per run and artifact).
 */
export class QuantizeExecutor implements StepExecutor {
  readonly kind = ExperimentKind.QUANTIZE;

  constructor(private readonly api: PipelineApi) {}

  run(context: StepContext): Promise<StepOutcome> {
    return stepOutcome(context, async () => {
      const spec = validateExperimentSpec(this.kind, context.experiment.spec) as QuantizeSpec;
      const source = await resolveUnetVersion(spec.source, "source", resolveContextFor(context, this.api));
      const variants = await quantizeVariants(source, spec, "", { ...context, api: this.api, directory: join(context.jobDir, "variants") });
      return { source: source.ref, versions: Object.fromEntries(variants.map(({ method, version }) => [method, version.ref])) };
    });
  }
}

/** EVALUATE: ONNX UNet versions scored on one protocol; each result posted as an evaluation. */
export class EvaluateExecutor implements StepExecutor {
  readonly kind = ExperimentKind.EVALUATE;

  constructor(private readonly api: PipelineApi) {}

  run(context: StepContext): Promise<StepOutcome> {
    return stepOutcome(context, async () => {
      const spec = validateExperimentSpec(this.kind, context.experiment.spec) as EvaluateSpec;
      const inputs = resolveContextFor(context, this.api);
      const extractor = await resolveExtractor(spec.protocol.extractor, inputs);
      const models = [];
      for (const ref of spec.models) models.push(await resolveUnetVersion(ref, "model", inputs));
      const evaluations = await evaluateModels(models, spec.protocol, extractor, {
        ...context,
        api: this.api,
        onModelDone: (done, total) => context.reporter.progress(done / total),
      });
      return { evaluations };
    });
  }
}
