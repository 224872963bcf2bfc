import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { putBlob, sha256Hex } from "./support/factories";
import { acquireOrFail, COMPLETE, createCommandExperiment, launch, registerRunner } from "./support/runner-protocol";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

const REGISTER = `mutation($job: ID!, $lease: ID!, $input: RegisterJobArtifactInput!) {
  registerJobArtifact(job: $job, leaseId: $lease, input: $input) {
    id ref version format precision params metadata model { name role family }
    parents { relation recipe version { ref } }
    producedBy { id }
  }
}`;

describe(`registerJobArtifact (${databaseKind})`, () => {
  it("registers what a job produced on its lease, creating the model, idempotently per run and artifact", async () => {
    const runner = await registerRunner(api.admin);
    const run = await launch(api.admin, (await createCommandExperiment(api.admin)).id);
    const lease = await acquireOrFail(runner);
    const call = { job: lease.job.id, lease: lease.leaseId };
    const torchBytes = randomBytes(300);
    const onnxBytes = randomBytes(200);
    expect((await putBlob(api.server.url, runner.client.token!, torchBytes)).status).toBe(201);
    expect((await putBlob(api.server.url, runner.client.token!, onnxBytes)).status).toBe(201);
    const model = `teacher-${run.id.slice(0, 8)}`;
    const torchInput = {
      artifact: "teacher", model, role: "TEACHER", family: "unet", digest: `sha256:${sha256Hex(torchBytes)}`,
      format: "TORCH", precision: "FP32", params: 123456, metadata: { architecture: { channels: [8, 16] } },
    };

    const first = (await runner.client.ok(REGISTER, { ...call, input: torchInput })).registerJobArtifact;
    expect(first).toMatchObject({ ref: `${model}@v1`, format: "TORCH", params: 123456, model: { name: model, role: "TEACHER", family: "unet" }, producedBy: { id: run.id } });
    // A runner that lost the answer asks again: it gets the same version, not a second one.
    const again = (await runner.client.ok(REGISTER, { ...call, input: torchInput })).registerJobArtifact;
    expect(again.id).toBe(first.id);

    const onnx = (
      await runner.client.ok(REGISTER, {
        ...call,
        input: { ...torchInput, artifact: "teacher-onnx", digest: `sha256:${sha256Hex(onnxBytes)}`, format: "ONNX", parents: [{ ref: first.ref, relation: "EXPORTED_FROM", recipe: { opset: 17 } }] },
      })
    ).registerJobArtifact;
    expect(onnx).toMatchObject({ ref: `${model}@v2`, format: "ONNX", parents: [{ relation: "EXPORTED_FROM", recipe: { opset: 17 }, version: { ref: first.ref } }] });

    // After completion the lease is spent for writes of other runs, but the run keeps its versions.
    await runner.client.ok(COMPLETE, { ...call, result: { versions: [first.ref, onnx.ref] } });
    const versions = await api.admin.ok(`query($n: String!) { model(name: $n) { versions { totalCount } } }`, { n: model });
    expect(versions.model.versions.totalCount).toBe(2);
  });

  it("refuses a stale lease with LEASE_LOST and registers nothing", async () => {
    const runner = await registerRunner(api.admin);
    const run = await launch(api.admin, (await createCommandExperiment(api.admin)).id);
    const lease = await acquireOrFail(runner);
    const bytes = randomBytes(64);
    await putBlob(api.server.url, runner.client.token!, bytes);
    const model = `ghost-${run.id.slice(0, 8)}`;
    await runner.client.fails(
      REGISTER,
      {
        job: lease.job.id,
        lease: "00000000-0000-0000-0000-000000000000",
        input: { artifact: "x", model, role: "TEACHER", digest: `sha256:${sha256Hex(bytes)}`, format: "TORCH", precision: "FP32" },
      },
      "CONFLICT",
      "LEASE_LOST",
    );
    await api.admin.fails(`query($n: String!) { model(name: $n) { id } }`, { n: model }, "NOT_FOUND", "MODEL_NOT_FOUND");
  });
});
