import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../apps/api/test/support/wait-for";
import { Platform } from "./support/platform";

const PYTHON = process.env.DISTILLERY_PYTHON ?? "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch, onnx"]).status === 0;

let platform: Platform;

/** A teacher trained for real by a real runner, through GraphQL only (needs Debian's python3-torch and python3-onnx). */
describe.skipIf(!hasTorch && process.env.CI !== "true")("a PRETRAIN experiment on the embedded platform with a local runner", () => {
  beforeAll(async () => {
    platform = await Platform.start({});
    await platform.startRunner("trainer-runner");
  });
  afterAll(() => platform?.stop());

  it("trains, streams its loss curve, and registers the TORCH teacher and its ONNX export with lineage", async () => {
    const experiment = await platform.admin.ok(`mutation($input: CreateExperimentInput!) { createExperiment(input: $input) { id spec } }`, {
      input: {
        name: "tiny-teacher",
        kind: "PRETRAIN",
        spec: {
          dataset: { source: "synthetic", samples: 64, resolution: 8, classes: 2, seed: 1 },
          model: { channels: [8, 16], layersPerBlock: 1, attentionStages: [1], groups: 4, heads: 2 },
          schedule: { kind: "cosine", steps: 100 },
          training: { steps: 20, batchSize: 8, lr: 0.001, warmupSteps: 2, checkpointEvery: 10, seed: 3 },
          output: { model: "tiny-teacher" },
        },
      },
    });
    const run = await platform.admin.ok(`mutation($input: LaunchExperimentInput!) { launchExperiment(input: $input) { id } }`, {
      input: { experiment: experiment.createExperiment.id },
    });
    const runId: string = run.launchExperiment.id;
    const finished = await waitFor(
      "the pretrain run to finish",
      async () => {
        const state = await platform.run(runId);
        return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(state.status) ? state : undefined;
      },
      170_000,
    );
    const details = await platform.admin.ok(`query($id: ID!) { run(id: $id) { status result job { error } logs(limit: 4000) { text } } }`, { id: runId });
    expect(finished.status, JSON.stringify(details)).toBe("SUCCEEDED");

    const losses = (await platform.metrics(runId)).find((series) => series.key === "loss");
    expect(losses?.points.map((point) => point.step)).toEqual(Array.from({ length: 20 }, (_, step) => step));

    const teacher = await platform.admin.ok(
      `{ model(name: "tiny-teacher") { role family versions { edges { node { ref format precision params metadata producedBy { id } parents { relation version { ref } } } } } } }`,
    );
    expect(teacher.model).toMatchObject({ role: "TEACHER", family: "unet" });
    const versions = teacher.model.versions.edges.map((edge: any) => edge.node);
    const torch = versions.find((version: any) => version.format === "TORCH");
    const onnx = versions.find((version: any) => version.format === "ONNX");
    expect(torch).toMatchObject({ ref: "tiny-teacher@v1", precision: "FP32", producedBy: { id: runId }, parents: [] });
    expect(torch.params).toBeGreaterThan(0);
    expect(torch.metadata.architecture).toMatchObject({ channels: [8, 16], resolution: 8 });
    expect(onnx).toMatchObject({ ref: "tiny-teacher@v2", producedBy: { id: runId }, parents: [{ relation: "EXPORTED_FROM", version: { ref: "tiny-teacher@v1" } }] });
    expect(details.run.result).toMatchObject({ versions: { teacher: "tiny-teacher@v1", "teacher-onnx": "tiny-teacher@v2" } });
  });
});
