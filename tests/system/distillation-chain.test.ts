import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "./support/platform";

const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const CLI = join(__dirname, "..", "..", "apps", "cli", "dist", "bin.js");
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;

/** Imported with `distillery datasets import` before the chain starts, and named by every kind. */
const DATASET = { source: "platform", ref: "chain-data@v1" };
const TRAINING = { steps: 4, batchSize: 8, lr: 0.001, warmupSteps: 1, checkpointEvery: 100, seed: 3 };
const STRATEGIES: Record<string, Record<string, unknown>> = {
  output: { output: { weight: 1, alpha: 0.5, kl: { weight: 0.1, temperature: { initial: 4, final: 1, schedule: "cosine" } } } },
  feature: { output: { weight: 1, alpha: 0.5 }, feature: { weight: 1, multiScale: true } },
  consistency: { output: { weight: 1, alpha: 0.5 }, knowledgeConsistency: { threshold: 0.05 } },
  progressive: { progressive: { rounds: [8, 4] } },
  adversarial: { output: { weight: 1, alpha: 0.5 }, adversarial: { weight: 0.05, discriminatorLr: 0.0002 } },
};
/** A curve each strategy must have streamed, besides the total loss. */
const SIGNATURE_CURVE: Record<string, string> = {
  output: "loss/kl",
  feature: "loss/feature",
  consistency: "kc/weight_mean",
  progressive: "loss/progressive",
  adversarial: "loss/adversarial_g",
};

let platform: Platform;

/** pretrain -> extractor -> distill (one run per strategy), all through GraphQL, trained for real (needs python3-torch, python3-onnx). */
describe.skipIf(!hasTorch && process.env.CI !== "true")("the distillation chain on the embedded platform with a local runner", () => {
  beforeAll(async () => {
    platform = await Platform.start({});
    await platform.startRunner("chain-runner");
    const imported = spawnSync(
      process.execPath,
      [CLI, "datasets", "import", "synthetic", "--name", "chain-data", "--resolution", "8", "--limit", "64", "--api", platform.api.url, "--token", platform.api.adminToken],
      { encoding: "utf8" },
    );
    if (imported.status !== 0) throw new Error(`datasets import failed: ${imported.stderr}`);
    if (imported.stdout.trim() !== "chain-data@v1") throw new Error(`unexpected ref ${imported.stdout}`);
  });
  afterAll(() => platform?.stop());

  it("registers teacher, extractor and a student per strategy with their lineage, recipes and curves", async () => {
    await platform.launchAndFinish("chain-teacher", "PRETRAIN", {
      dataset: DATASET,
      model: { channels: [8, 16], layersPerBlock: 1, attentionStages: [1], groups: 4, heads: 2 },
      schedule: { kind: "cosine", steps: 100 },
      training: TRAINING,
      output: { model: "chain-teacher" },
    });
    const teacher = await platform.versionsOf("chain-teacher");
    expect(teacher.versions.map((v) => v.format).sort()).toEqual(["ONNX", "TORCH"]);

    const extractorRun = await platform.launchAndFinish("chain-extractor", "EXTRACTOR", {
      dataset: DATASET,
      testDataset: { source: "synthetic", samples: 32, resolution: 8, classes: 4, seed: 2 },
      model: { channels: [8, 16], featureDim: 16 },
      training: { steps: 20, batchSize: 16, lr: 0.003, seed: 0 },
      referenceSamples: 64,
      output: { model: "chain-extractor" },
    });
    const extractor = await platform.versionsOf("chain-extractor");
    expect(extractor.role).toBe("EXTRACTOR");
    expect(extractor.versions).toHaveLength(1);
    expect(extractor.versions[0]).toMatchObject({ format: "ONNX", producedBy: { id: extractorRun } });
    expect(extractor.versions[0].metadata).toMatchObject({ featureDim: 16, featureOutput: "features", referenceStats: { digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) } });
    const stats = await platform.admin.ok(`query($d: String!) { blob(digest: $d) { sizeBytes } }`, { d: extractor.versions[0].metadata.referenceStats.digest });
    expect(stats.blob.sizeBytes).toBeGreaterThan(0);

    for (const [strategy, components] of Object.entries(STRATEGIES)) {
      const model = `chain-student-${strategy}`;
      const runId = await platform.launchAndFinish(model, "DISTILL", {
        teacher: "chain-teacher@v1",
        dataset: DATASET,
        student: { derive: { removeLayers: 0, channelScale: 0.5, dropMid: strategy !== "progressive" } },
        strategy: components,
        training: TRAINING,
        output: { model },
      });
      const student = await platform.versionsOf(model);
      expect(student.role).toBe("STUDENT");
      const torch = student.versions.find((v) => v.format === "TORCH");
      const onnx = student.versions.find((v) => v.format === "ONNX");
      expect(torch.parents, strategy).toEqual([
        { relation: "DISTILLED_FROM", version: { ref: "chain-teacher@v1" }, recipe: expect.objectContaining({ teacher: "chain-teacher@v1", strategy: expect.any(Object) }) },
      ]);
      expect(torch.metadata.recipe.strategy, strategy).toMatchObject(Object.fromEntries(Object.keys(components).map((key) => [key, expect.any(Object)])));
      expect(onnx.parents).toEqual([{ relation: "EXPORTED_FROM", version: { ref: torch.ref }, recipe: expect.any(Object) }]);
      if (strategy === "progressive") expect(torch.metadata.samplingSteps).toBe(4);

      const curves = await platform.metrics(runId);
      const keys = curves.map((series) => series.key);
      expect(keys, strategy).toContain("loss");
      expect(keys, strategy).toContain(SIGNATURE_CURVE[strategy]);
      expect(curves.find((series) => series.key === "loss")!.points.length).toBeGreaterThan(0);
    }
  });
});
