import { describe, expect, it } from "vitest";
import { createModel, createToken, registerVersion } from "./support/factories";
import {
  createExtractor,
  EVALUATIONS,
  evaluationInput,
  expectedKey,
  LEADERBOARD,
  leasedJob,
  measurements,
  POST_EVALUATION,
  PROTOCOLS,
  protocolSettings,
  versionOf,
} from "./support/evaluations";
import { databaseKind } from "./support/test-database";
import { useTestServer } from "./support/use-test-server";

const api = useTestServer();

async function evaluationsOf(ref: string) {
  return (await api.admin.ok(EVALUATIONS, { version: ref })).evaluations as Array<Record<string, any>>;
}

async function protocols() {
  return (await api.admin.ok(PROTOCOLS)).protocols as Array<Record<string, any>>;
}

describe(`postEvaluation (${databaseKind})`, () => {
  it("records an evaluation on a leased job, for the job's run, with the version's size and a content-derived protocol key", async () => {
    const extractor = await createExtractor(api.admin);
    const version = await versionOf(api.admin, { sizeBytes: 777 });
    const { runner, lease, runId } = await leasedJob(api.admin);
    const settings = protocolSettings(extractor.ref, { hardware: "cpu:AMD EPYC 7B13", eta: 0.5 });
    const measured = measurements({ peakMemoryBytes: 5_000_000_000, params: 3_000_000_000, details: { samplerOverheadMs: 1.5, maxAbsError: 0.01 } });

    const posted = (await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measured) })).postEvaluation;
    expect(posted).toMatchObject({
      ...measured,
      sizeBytes: 777,
      version: { id: version.id, ref: version.ref },
      run: { id: runId },
      protocol: {
        ...settings,
        key: expectedKey(settings, extractor.id),
        extractor: { id: extractor.id, ref: extractor.ref },
        evaluationCount: 1,
      },
    });

    const listed = await evaluationsOf(version.ref);
    expect(listed).toEqual([posted]);
  });

  it("is idempotent per (version, protocol, run): a replay returns the first row and changes nothing", async () => {
    const extractor = await createExtractor(api.admin);
    const version = await versionOf(api.admin);
    const { runner, lease } = await leasedJob(api.admin);
    const settings = protocolSettings(extractor.ref, { hardware: "cpu:replay" });
    const first = (await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measurements()) })).postEvaluation;
    const again = (await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measurements()) })).postEvaluation;
    expect(again).toEqual(first);
    // Even with other numbers (a re-measurement in the same run) the first answer stands.
    const changed = (
      await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measurements({ fid: 99 })) })
    ).postEvaluation;
    expect(changed).toEqual(first);
    expect(await evaluationsOf(version.ref)).toEqual([first]);
    expect((await protocols()).filter((protocol) => protocol.hardware === "cpu:replay")).toHaveLength(1);
  });

  it("finds the same protocol whatever ref names the extractor version, and a new one when any setting differs", async () => {
    const extractor = await createExtractor(api.admin);
    await api.admin.ok(`mutation($input: SetAliasInput!) { setAlias(input: $input) { name } }`, {
      input: { model: extractor.model, alias: "production", version: 1 },
    });
    const version = await versionOf(api.admin);
    const { runner, lease } = await leasedJob(api.admin);
    const post = async (settings: ReturnType<typeof protocolSettings>) =>
      (await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measurements()) })).postEvaluation;
    const byNumber = await post(protocolSettings(extractor.ref, { hardware: "cpu:refs" }));
    const byAlias = await post(protocolSettings(`${extractor.model}@production`, { hardware: "cpu:refs" }));
    const byName = await post(protocolSettings(extractor.model, { hardware: "cpu:refs" }));
    expect(byAlias.id).toBe(byNumber.id);
    expect(byName.id).toBe(byNumber.id);
    const otherSteps = await post(protocolSettings(extractor.ref, { hardware: "cpu:refs", steps: 51 }));
    expect(otherSteps.protocol.key).not.toBe(byNumber.protocol.key);
    expect(otherSteps.id).not.toBe(byNumber.id);
  });

  it("refuses a stale lease with LEASE_LOST and records nothing", async () => {
    const extractor = await createExtractor(api.admin);
    const version = await versionOf(api.admin);
    const { runner, lease } = await leasedJob(api.admin);
    const before = await protocols();
    const stale = { ...lease, leaseId: "00000000-0000-0000-0000-000000000000" };
    await runner.client.fails(
      POST_EVALUATION,
      { input: evaluationInput(stale, version.ref, protocolSettings(extractor.ref, { hardware: "cpu:stale" }), measurements()) },
      "CONFLICT",
      "LEASE_LOST",
    );
    const unknownJob = { ...lease, job: { ...lease.job, id: "00000000-0000-0000-0000-000000000000" } };
    await runner.client.fails(
      POST_EVALUATION,
      { input: evaluationInput(unknownJob, version.ref, protocolSettings(extractor.ref, { hardware: "cpu:stale" }), measurements()) },
      "NOT_FOUND",
      "JOB_NOT_FOUND",
    );
    expect(await evaluationsOf(version.ref)).toEqual([]);
    expect(await protocols()).toEqual(before);
  });

  it("refuses bad input with a code and records nothing", async () => {
    const extractor = await createExtractor(api.admin);
    const student = await createModel(api.admin, { role: "STUDENT" });
    const notAnExtractor = await registerVersion(api.admin, student.name);
    const version = await versionOf(api.admin);
    const { runner, lease } = await leasedJob(api.admin);
    const settings = protocolSettings(extractor.ref, { hardware: "cpu:bad-input" });
    const before = await protocols();
    const bad = "BAD_USER_INPUT";
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string, string]> = [
      ["negative fid", {}, { fid: -1 }, bad, "INVALID_ARGUMENT"],
      ["NaN fid (null in JSON)", {}, { fid: Number.NaN }, bad, "INVALID_ARGUMENT"],
      ["negative latency", {}, { latencyP50Ms: -0.1 }, bad, "INVALID_ARGUMENT"],
      ["p95 below p50", {}, { latencyP50Ms: 10, latencyP95Ms: 9 }, bad, "INVALID_ARGUMENT"],
      ["negative throughput", {}, { throughput: -3 }, bad, "INVALID_ARGUMENT"],
      ["negative peak memory", {}, { peakMemoryBytes: -1 }, bad, "INVALID_ARGUMENT"],
      ["fractional params", {}, { params: 1.5 }, bad, "INVALID_ARGUMENT"],
      ["details too large", {}, { details: { blob: "x".repeat(70_000) } }, bad, "INVALID_ARGUMENT"],
      ["one sample", { samples: 1 }, {}, bad, "INVALID_ARGUMENT"],
      ["zero steps", { steps: 0 }, {}, bad, "INVALID_ARGUMENT"],
      ["zero batch", { batch: 0 }, {}, bad, "INVALID_ARGUMENT"],
      ["zero threads", { threads: 0 }, {}, bad, "INVALID_ARGUMENT"],
      ["zero resolution", { resolution: 0 }, {}, bad, "INVALID_ARGUMENT"],
      ["negative eta", { eta: -0.1 }, {}, bad, "INVALID_ARGUMENT"],
      ["empty sampler", { sampler: " " }, {}, bad, "INVALID_ARGUMENT"],
      ["empty dataset", { dataset: "" }, {}, bad, "INVALID_ARGUMENT"],
      ["empty hardware", { hardware: "" }, {}, bad, "INVALID_ARGUMENT"],
      ["malformed reference stats", { referenceStats: "md5:abc" }, {}, bad, "INVALID_DIGEST"],
      ["a STUDENT as extractor", { extractor: notAnExtractor.ref }, {}, bad, "INVALID_ARGUMENT"],
      ["an unknown extractor", { extractor: "no-such-extractor" }, {}, "NOT_FOUND", "MODEL_NOT_FOUND"],
      ["an extractor version that does not exist", { extractor: `${extractor.model}@v9` }, {}, "NOT_FOUND", "VERSION_NOT_FOUND"],
    ];
    for (const [what, protocol, measured, code, reason] of cases) {
      const input = evaluationInput(lease, version.ref, { ...settings, ...protocol }, { ...measurements(), ...measured });
      const error = await runner.client.request(POST_EVALUATION, { input });
      expect({ what, code: error.errors?.[0]?.extensions.code, reason: error.errors?.[0]?.extensions.reason }).toEqual({ what, code, reason });
    }
    await runner.client.fails(POST_EVALUATION, { input: evaluationInput(lease, "no-such-model", settings, measurements()) }, "NOT_FOUND", "MODEL_NOT_FOUND");
    const model = version.ref.split("@")[0]!;
    await runner.client.fails(POST_EVALUATION, { input: evaluationInput(lease, `${model}@v5`, settings, measurements()) }, "NOT_FOUND", "VERSION_NOT_FOUND");
    expect(await evaluationsOf(version.ref)).toEqual([]);
    expect(await protocols()).toEqual(before);
    // The same call with good numbers goes through.
    await runner.client.ok(POST_EVALUATION, { input: evaluationInput(lease, version.ref, settings, measurements()) });
  });

  it("is for RUNNER tokens only; READ tokens read evaluations, protocols and the leaderboard", async () => {
    const extractor = await createExtractor(api.admin);
    const version = await versionOf(api.admin);
    const { runner, lease } = await leasedJob(api.admin);
    const input = evaluationInput(lease, version.ref, protocolSettings(extractor.ref, { hardware: "cpu:auth" }), measurements());
    for (const scope of ["READ", "WRITE"]) {
      const client = api.admin.withToken((await createToken(api.admin, [scope])).token);
      await client.fails(POST_EVALUATION, { input }, "FORBIDDEN", "FORBIDDEN");
    }
    expect(await evaluationsOf(version.ref)).toEqual([]);
    const posted = (await runner.client.ok(POST_EVALUATION, { input })).postEvaluation;
    const reader = api.admin.withToken((await createToken(api.admin, ["READ"])).token);
    expect((await reader.ok(EVALUATIONS, { version: version.ref })).evaluations).toEqual([posted]);
    expect((await reader.ok(PROTOCOLS)).protocols.map((protocol: { key: string }) => protocol.key)).toContain(posted.protocol.key);
    expect((await reader.ok(LEADERBOARD, { protocol: posted.protocol.key })).leaderboard.rows).toHaveLength(1);
  });
});

describe(`evaluations and protocols (${databaseKind})`, () => {
  it("lists a version's evaluations newest first, across runs and protocols; an unknown ref is not found", async () => {
    const extractor = await createExtractor(api.admin);
    const version = await versionOf(api.admin);
    const posted: string[] = [];
    for (const hardware of ["cpu:list-a", "cpu:list-b"]) {
      const { runner, lease } = await leasedJob(api.admin);
      const input = evaluationInput(lease, version.ref, protocolSettings(extractor.ref, { hardware }), measurements());
      posted.push((await runner.client.ok(POST_EVALUATION, { input })).postEvaluation.id);
    }
    const { runner, lease } = await leasedJob(api.admin);
    const input = evaluationInput(lease, version.ref, protocolSettings(extractor.ref, { hardware: "cpu:list-a" }), measurements({ fid: 3 }));
    posted.push((await runner.client.ok(POST_EVALUATION, { input })).postEvaluation.id);
    expect((await evaluationsOf(version.ref)).map((evaluation) => evaluation.id)).toEqual([...posted].reverse());
    await api.admin.fails(EVALUATIONS, { version: "no-such-model" }, "NOT_FOUND", "MODEL_NOT_FOUND");
    await api.admin.fails(EVALUATIONS, { version: `${version.ref.split("@")[0]}@v9` }, "NOT_FOUND", "VERSION_NOT_FOUND");
  });

  it("lists protocols most recently used first, counting distinct versions evaluated", async () => {
    const extractor = await createExtractor(api.admin);
    const [one, two] = [await versionOf(api.admin), await versionOf(api.admin)];
    const post = async (version: string, hardware: string) => {
      const { runner, lease } = await leasedJob(api.admin);
      const input = evaluationInput(lease, version, protocolSettings(extractor.ref, { hardware }), measurements());
      return (await runner.client.ok(POST_EVALUATION, { input })).postEvaluation.protocol.key as string;
    };
    const older = await post(one.ref, "cpu:count-older");
    const newer = await post(one.ref, "cpu:count-newer");
    await post(two.ref, "cpu:count-newer");
    await post(one.ref, "cpu:count-newer"); // a second run re-evaluates v1: still one version
    let listed = (await protocols()).filter((protocol) => protocol.hardware.startsWith("cpu:count-"));
    expect(listed.map((protocol) => [protocol.key, protocol.evaluationCount])).toEqual([
      [newer, 2],
      [older, 1],
    ]);
    // Using the older protocol again moves it to the front.
    await post(two.ref, "cpu:count-older");
    listed = (await protocols()).filter((protocol) => protocol.hardware.startsWith("cpu:count-"));
    expect(listed.map((protocol) => [protocol.key, protocol.evaluationCount])).toEqual([
      [older, 2],
      [newer, 2],
    ]);
    expect((await protocols())[0]).toMatchObject({ key: older, extractor: { ref: extractor.ref } });
  });
});
