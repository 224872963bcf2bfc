import { describe, expect, it } from "vitest";
import { DomainError } from "./errors";
import { ExperimentKind, requiredCapabilities, validateExperimentSpec } from "./experiment-specs";

describe("experiment specs", () => {
  it("fills the command kind's defaults", () => {
    expect(validateExperimentSpec(ExperimentKind.COMMAND, { argv: ["python3", "train.py"] })).toEqual({
      argv: ["python3", "train.py"],
      env: {},
      timeoutSeconds: 3600,
    });
  });

  it("names every problem of a bad spec in one INVALID_SPEC error", () => {
    try {
      validateExperimentSpec(ExperimentKind.COMMAND, { argv: [], env: { "BAD-NAME": "x" }, timeoutSeconds: 0, extra: true });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const domainError = error as DomainError;
      expect(domainError.reason).toBe("INVALID_SPEC");
      const problems = domainError.details.problems as string[];
      expect(problems.some((problem) => problem.startsWith("argv"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("env.BAD-NAME"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("timeoutSeconds"))).toBe(true);
      expect(problems.some((problem) => problem.includes("extra"))).toBe(true);
    }
  });

  it("says which runner capability a kind needs", () => {
    expect(requiredCapabilities(ExperimentKind.COMMAND)).toEqual(["command"]);
    expect(requiredCapabilities(ExperimentKind.PRETRAIN)).toEqual(["torch"]);
    expect(requiredCapabilities(ExperimentKind.DISTILL)).toEqual(["torch"]);
    expect(requiredCapabilities(ExperimentKind.EXTRACTOR)).toEqual(["torch"]);
    expect(requiredCapabilities(ExperimentKind.QUANTIZE)).toEqual(["onnx"]);
    expect(requiredCapabilities(ExperimentKind.EVALUATE)).toEqual(["onnx"]);
  });

  it("asks for onnxruntime too when a distill spec quantizes or evaluates in the same job", () => {
    const distill = { teacher: "t@v1", dataset: { source: "synthetic" }, student: { derive: {} }, strategy: { output: {} }, output: { model: "s" } };
    const plain = validateExperimentSpec(ExperimentKind.DISTILL, distill);
    expect(requiredCapabilities(ExperimentKind.DISTILL, plain)).toEqual(["torch"]);
    const withSections = validateExperimentSpec(ExperimentKind.DISTILL, { ...distill, quantize: {}, evaluate: { protocol: { extractor: "fx@v1" } } });
    expect(requiredCapabilities(ExperimentKind.DISTILL, withSections)).toEqual(["torch", "onnx"]);
  });

  it("fills a pretrain spec's defaults from a dataset and an output model alone", () => {
    const spec = validateExperimentSpec(ExperimentKind.PRETRAIN, { dataset: { source: "synthetic" }, output: { model: "teacher" } });
    expect(spec).toMatchObject({
      dataset: { source: "synthetic", samples: 512, resolution: 16, classes: 4, seed: 0 },
      model: { channels: [32, 64], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 },
      schedule: { kind: "cosine", steps: 1000 },
      training: { steps: 200, batchSize: 32, seed: 0 },
      output: { model: "teacher", family: "unet" },
      device: "any",
    });
  });

  it("refuses a pretrain spec whose model cannot be built", () => {
    expect(() =>
      validateExperimentSpec(ExperimentKind.PRETRAIN, {
        dataset: { source: "imagenet" },
        model: { channels: [30], attentionStages: [3], groups: 8 },
        output: { model: "Teacher" },
      }),
    ).toThrow(/dataset.source.*model.*output.model|dataset.*model/s);
  });

  /** The problems of an INVALID_SPEC error. */
  const problemsOf = (spec: unknown, kind = ExperimentKind.DISTILL): string[] => {
    try {
      validateExperimentSpec(kind, spec);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).reason).toBe("INVALID_SPEC");
      return (error as DomainError).details.problems as string[];
    }
    return expect.unreachable("the spec was accepted");
  };

  describe("distill", () => {
    const minimal = { teacher: "tiny-teacher@v1", dataset: { source: "synthetic" }, student: { derive: {} }, strategy: { output: {} }, output: { model: "tiny-student" } };


    it("fills the defaults of a derived student, the output strategy and the training", () => {
      expect(validateExperimentSpec(ExperimentKind.DISTILL, minimal)).toEqual({
        teacher: "tiny-teacher@v1",
        dataset: { source: "synthetic", samples: 512, resolution: 16, classes: 4, seed: 0 },
        student: { derive: { removeLayers: 0, channelScale: 1, dropMid: false } },
        strategy: { output: { weight: 1, alpha: 0.5 } },
        training: { steps: 200, batchSize: 32, lr: 2e-4, weightDecay: 0, warmupSteps: 20, gradClip: 1, emaDecay: 0.999, seed: 0, checkpointEvery: 50 },
        output: { model: "tiny-student", family: "unet" },
        device: "any",
        timeoutSeconds: 86400,
      });
    });

    it("fills every strategy component's defaults, and takes a student model of its own", () => {
      const spec = validateExperimentSpec(ExperimentKind.DISTILL, {
        ...minimal,
        teacher: "tiny-teacher@production",
        student: { model: { channels: [16, 32] } },
        strategy: { output: { alpha: 1, kl: {} }, feature: { pairs: [["mid", "mid"]] }, knowledgeConsistency: {}, progressive: {}, adversarial: {} },
      });
      expect(spec.student).toEqual({ model: { channels: [16, 32], layersPerBlock: 1, attentionStages: [1], groups: 8, heads: 4 } });
      expect(spec.strategy).toEqual({
        output: { weight: 1, alpha: 1, kl: { weight: 0.1, temperature: { initial: 4, final: 1, schedule: "linear" } } },
        feature: { weight: 1, pairs: [["mid", "mid"]], multiScale: false },
        knowledgeConsistency: { threshold: 0.05 },
        progressive: { rounds: [16, 8, 4] },
        adversarial: { weight: 0.05, discriminatorLr: 2e-4 },
      });
      // Defaults are not shared between specs.
      (spec.strategy as { progressive: { rounds: number[] } }).progressive.rounds.push(2);
      const again = validateExperimentSpec(ExperimentKind.DISTILL, { ...minimal, strategy: { progressive: {} } });
      expect(again.strategy).toEqual({ progressive: { rounds: [16, 8, 4] } });
    });

    it("refuses a bad teacher ref, a missing or double student, and an empty strategy, naming each field", () => {
      const problems = problemsOf({ ...minimal, teacher: "Tiny Teacher", student: { derive: {}, model: {} }, strategy: {} });
      expect(problems).toEqual([
        expect.stringMatching(/^teacher: a ref/),
        "student: exactly one of derive or model",
        expect.stringMatching(/^strategy: needs at least one component/),
      ]);
      expect(problemsOf({ ...minimal, student: {} })).toEqual(["student: exactly one of derive or model"]);
      expect(problemsOf({ ...minimal, student: undefined })[0]).toMatch(/^student: /);
      expect(problemsOf({ ...minimal, strategy: undefined })[0]).toMatch(/^strategy: /);
      expect(problemsOf({ ...minimal, teacher: undefined })[0]).toMatch(/^teacher: /);
    });

    it("refuses out-of-range derive settings and unknown keys", () => {
      const problems = problemsOf({ ...minimal, student: { derive: { removeLayers: 4, channelScale: 0, dropMid: "yes", extra: 1 } } });
      expect(problems.some((problem) => problem.startsWith("student.derive.removeLayers:"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("student.derive.channelScale:"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("student.derive.dropMid:"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("student.derive:") && problem.includes("extra"))).toBe(true);
      expect(problemsOf({ ...minimal, student: { derive: { channelScale: 1.5 } } })[0]).toMatch(/^student.derive.channelScale:/);
      expect(problemsOf({ ...minimal, strategy: { output: {}, distillation: {} } })[0]).toMatch(/^strategy: .*distillation/);
    });

    it("refuses negative weights, a threshold of 0, alpha outside 0..1, and bad temperatures", () => {
      const problems = problemsOf({
        ...minimal,
        strategy: {
          output: { weight: -1, alpha: 1.5, kl: { weight: -0.1, temperature: { initial: 0, schedule: "step" } } },
          feature: { weight: -2, layerWeights: [1, -0.5], pairs: [["mid"]] },
          knowledgeConsistency: { threshold: 0 },
          adversarial: { weight: -0.05, discriminatorLr: 0 },
        },
      });
      for (const field of [
        "strategy.output.weight",
        "strategy.output.alpha",
        "strategy.output.kl.weight",
        "strategy.output.kl.temperature.initial",
        "strategy.output.kl.temperature.schedule",
        "strategy.feature.weight",
        "strategy.feature.layerWeights.1",
        "strategy.feature.pairs.0",
        "strategy.knowledgeConsistency.threshold",
        "strategy.adversarial.weight",
        "strategy.adversarial.discriminatorLr",
      ]) {
        expect(problems.some((problem) => problem.startsWith(`${field}:`)), `${field} in ${problems.join("; ")}`).toBe(true);
      }
      // Zero switches a term off: allowed.
      expect(() => validateExperimentSpec(ExperimentKind.DISTILL, { ...minimal, strategy: { output: { weight: 0, alpha: 0 }, feature: { weight: 0, layerWeights: [0] } } })).not.toThrow();
    });

    it("takes progressive rounds that halve down to any even count or 1, strictly decreasing", () => {
      for (const rounds of [[16, 8, 4], [64, 32, 16, 8, 4, 2, 1], [8], [1], [10, 4, 2]]) {
        expect(validateExperimentSpec(ExperimentKind.DISTILL, { ...minimal, strategy: { progressive: { rounds } } }).strategy).toEqual({ progressive: { rounds } });
      }
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [8, 8] } } })).toEqual(["strategy.progressive.rounds.1: rounds must be strictly decreasing (8 after 8)"]);
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [4, 8] } } })).toEqual(["strategy.progressive.rounds.1: rounds must be strictly decreasing (8 after 4)"]);
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [16, 3] } } })).toEqual([
        "strategy.progressive.rounds.1: 3 sampling steps cannot be halved: use an even count or 1",
      ]);
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [] } } })[0]).toMatch(/^strategy.progressive.rounds:/);
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [4, 0] } } })[0]).toMatch(/^strategy.progressive.rounds.1:/);
      expect(problemsOf({ ...minimal, strategy: { progressive: { rounds: [4, 2.5] } } })[0]).toMatch(/^strategy.progressive.rounds.1:/);
    });

    it("checks the training and output objects as pretrain does", () => {
      const problems = problemsOf({ ...minimal, training: { steps: 0, momentum: 0.9 }, output: { model: "Student" }, device: "tpu" });
      expect(problems.some((problem) => problem.startsWith("training.steps:"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("training:") && problem.includes("momentum"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("output.model:"))).toBe(true);
      expect(problems.some((problem) => problem.startsWith("device:"))).toBe(true);
    });

  });

  describe("extractor", () => {
    it("fills the model, training, reference samples and a held-out test dataset", () => {
      expect(validateExperimentSpec(ExperimentKind.EXTRACTOR, { dataset: { source: "fashion-mnist", limit: 1000 }, output: { model: "fmnist-features" } })).toEqual({
        dataset: { source: "fashion-mnist", split: "train", resolution: 16, limit: 1000 },
        testDataset: { source: "fashion-mnist", split: "test", resolution: 16, limit: 1000 },
        model: { channels: [32, 64], featureDim: 128 },
        training: { steps: 300, batchSize: 64, lr: 1e-3, seed: 0 },
        referenceSamples: 2000,
        output: { model: "fmnist-features", family: "cnn-extractor" },
        device: "any",
        timeoutSeconds: 86400,
      });
      const synthetic = validateExperimentSpec(ExperimentKind.EXTRACTOR, { dataset: { source: "synthetic", seed: 7 }, output: { model: "features" } });
      expect(synthetic.testDataset).toEqual({ source: "synthetic", samples: 512, resolution: 16, classes: 4, seed: 8 });
      const onTest = validateExperimentSpec(ExperimentKind.EXTRACTOR, { dataset: { source: "fashion-mnist", split: "test" }, output: { model: "features" } });
      expect(onTest.testDataset).toEqual({ source: "fashion-mnist", split: "train", resolution: 16 });
      const given = validateExperimentSpec(ExperimentKind.EXTRACTOR, {
        dataset: { source: "synthetic" },
        testDataset: { source: "synthetic", samples: 64, seed: 99 },
        model: { channels: [8], featureDim: 16 },
        training: { steps: 5 },
        referenceSamples: 64,
        output: { model: "features", family: "tiny-cnn" },
      });
      expect(given).toMatchObject({
        testDataset: { source: "synthetic", samples: 64, seed: 99 },
        model: { channels: [8], featureDim: 16 },
        training: { steps: 5, batchSize: 64, lr: 1e-3, seed: 0 },
        referenceSamples: 64,
        output: { model: "features", family: "tiny-cnn" },
      });
    });

    it("refuses a bad model, training keys it does not have, and too few reference samples", () => {
      const problems = problemsOf(
        {
          dataset: { source: "synthetic" },
          testDataset: { source: "mnist" },
          model: { channels: [8, 16, 32, 64, 128], featureDim: 0 },
          training: { checkpointEvery: 10 },
          referenceSamples: 1,
          output: {},
        },
        ExperimentKind.EXTRACTOR,
      );
      for (const field of ["testDataset.source", "model.channels", "model.featureDim", "training", "referenceSamples", "output.model"]) {
        expect(problems.some((problem) => problem.startsWith(`${field}:`)), `${field} in ${problems.join("; ")}`).toBe(true);
      }
      expect(problems.some((problem) => problem.includes("checkpointEvery"))).toBe(true);
    });
  });

  describe("platform datasets", () => {
    const platform = { source: "platform", ref: "fashion-mnist-train@v1" };
    const specs: Array<[ExperimentKind, Record<string, unknown>]> = [
      [ExperimentKind.PRETRAIN, { dataset: platform, output: { model: "teacher" } }],
      [ExperimentKind.DISTILL, { teacher: "teacher@v1", dataset: platform, student: { derive: {} }, strategy: { output: {} }, output: { model: "student" } }],
      [ExperimentKind.EXTRACTOR, { dataset: platform, testDataset: { source: "platform", ref: "fashion-mnist-test" }, output: { model: "features" } }],
    ];

    it.each(specs)("%s takes a registered dataset by ref, as given", (kind, spec) => {
      const validated = validateExperimentSpec(kind, spec);
      expect(validated.dataset).toEqual(platform);
      if (kind === ExperimentKind.EXTRACTOR) expect(validated.testDataset).toEqual({ source: "platform", ref: "fashion-mnist-test" });
    });

    it("mixes with the other sources, for the extractor's test dataset too", () => {
      const spec = validateExperimentSpec(ExperimentKind.EXTRACTOR, { dataset: { source: "synthetic" }, testDataset: { source: "platform", ref: "held-out@v3" }, output: { model: "features" } });
      expect(spec.testDataset).toEqual({ source: "platform", ref: "held-out@v3" });
      const reverse = validateExperimentSpec(ExperimentKind.EXTRACTOR, { dataset: platform, testDataset: { source: "fashion-mnist", split: "test" }, output: { model: "features" } });
      expect(reverse.testDataset).toEqual({ source: "fashion-mnist", split: "test", resolution: 16 });
    });

    it("refuses a malformed or missing ref, an alias, and keys of other sources", () => {
      const pretrain = (dataset: unknown) => problemsOf({ dataset, output: { model: "teacher" } }, ExperimentKind.PRETRAIN);
      for (const ref of ["Fashion MNIST", "fashion@production", "fashion@v0", "", 7]) {
        expect(pretrain({ source: "platform", ref }), JSON.stringify(ref)).toEqual([expect.stringMatching(/^dataset.ref: /)]);
      }
      expect(pretrain({ source: "platform" })).toEqual([expect.stringMatching(/^dataset.ref: /)]);
      expect(pretrain({ source: "platform", ref: "fashion@v1", split: "test" })).toEqual([expect.stringMatching(/^dataset: .*split/)]);
      expect(problemsOf({ dataset: { source: "synthetic" }, testDataset: { source: "platform", ref: "x@latest", path: "/tmp/x.npz" }, output: { model: "features" } }, ExperimentKind.EXTRACTOR)).toEqual([
        expect.stringMatching(/^testDataset: .*path/),
      ]);
    });

    it("makes the extractor name its test dataset: a registered dataset has no held-out split to derive", () => {
      expect(problemsOf({ dataset: platform, output: { model: "features" } }, ExperimentKind.EXTRACTOR)).toEqual([
        "testDataset: required with a platform dataset: there is no held-out split to derive from it",
      ]);
    });
  });
});
