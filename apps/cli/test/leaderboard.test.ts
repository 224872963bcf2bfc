import type { EvaluationMeasurements } from "@distillery/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./support/api-server";
import { cli } from "./support/cli-process";
import { evaluationSeeder, seededProtocol } from "./support/evaluation-seeding";

const MIB = 1024 * 1024;

/**
 * Evaluations seeded the way runners post them (postEvaluation under a real job lease), read
 * back through `distillery leaderboard` as a child process.
 */
describe("distillery leaderboard (the real API on PGlite)", () => {
  let server: ApiServer;
  let env: NodeJS.ProcessEnv;
  const refs: Record<"teacher" | "fast" | "slow" | "old", string> = { teacher: "", fast: "", slow: "", old: "" };
  let mainKey: string;
  let olderKey: string;

  const distillery = (args: string[]) => cli(["leaderboard", ...args], { env });

  beforeAll(async () => {
    server = await startApiServer();
    env = { DISTILLERY_API: server.url, DISTILLERY_TOKEN: server.admin, DISTILLERY_CONFIG_DIR: `${server.dataDir}/config` };
    const seeder = await evaluationSeeder(server);
    const extractor = await seeder.version("features", "EXTRACTOR", "FP32");
    refs.teacher = await seeder.version("teacher", "TEACHER", "FP32");
    refs.fast = await seeder.version("student-fast", "STUDENT", "FP32");
    refs.slow = await seeder.version("student-slow", "STUDENT", "INT8");
    refs.old = await seeder.version("student-old", "STUDENT", "FP16");
    const post = (ref: string, steps: number, measured: EvaluationMeasurements) => seeder.post(ref, seededProtocol(extractor, steps), measured);
    // An older protocol first: the default is the one used most recently.
    olderKey = await post(refs.old, 10, { fid: 30, latencyP50Ms: 10, latencyP95Ms: 12, throughput: 90, peakMemoryBytes: 512 * MIB, params: 9_000_000 });
    await post(refs.teacher, 50, { fid: 10, latencyP50Ms: 100, latencyP95Ms: 120, throughput: 10, peakMemoryBytes: 4096 * MIB, params: 50_000_000 });
    await post(refs.fast, 50, { fid: 12, latencyP50Ms: 40, latencyP95Ms: 50, throughput: 25, peakMemoryBytes: 1024 * MIB, params: 10_000_000 });
    // Worse than student-fast on FID, latency and memory alike: dominated.
    mainKey = await post(refs.slow, 50, { fid: 15, latencyP50Ms: 50, latencyP95Ms: 60, throughput: 20, peakMemoryBytes: 1536 * MIB, params: 10_000_000 });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  const cells = (line: string) => line.split(/\s{2,}/);

  it("prints the most recent protocol's settings above a table ranked by FID", async () => {
    const result = await distillery([]);
    expect(result.code, result.stderr).toBe(0);
    const [settings, header, ...rows] = result.stdout.trimEnd().split("\n");
    expect(settings).toBe(
      `protocol ${mainKey.slice(0, 12)} (3 versions): 2000 samples of fashion-mnist@v1 at 16px, FID features of features@v1, ddim 50 steps eta 0, batch 64, 2 threads on cpu:test`,
    );
    expect(cells(header!)).toEqual(["VERSION", "ROLE", "PRECISION", "PARAMS", "FID", "P50_MS", "P95_MS", "IMG/S", "PEAK_MIB", "SIZE", "DOMINATED"]);
    expect(rows.map(cells)).toEqual([
      [refs.teacher, "TEACHER", "FP32", "50.0M", "10.00", "100.0", "120.0", "10.0", "4096.0", "1.0 KiB", "no"],
      [refs.fast, "STUDENT", "FP32", "10.0M", "12.00", "40.0", "50.0", "25.0", "1024.0", "1.0 KiB", "no"],
      [refs.slow, "STUDENT", "INT8", "10.0M", "15.00", "50.0", "60.0", "20.0", "1536.0", "1.0 KiB", "yes"],
    ]);
  });

  it("--json gives the protocol, the total and the rows with their raw numbers", async () => {
    const result = await distillery(["--json"]);
    expect(result.code, result.stderr).toBe(0);
    const board = JSON.parse(result.stdout) as { protocol: { key: string; steps: number }; totalCount: number; rows: Array<Record<string, any>> };
    expect(board.protocol).toMatchObject({ key: mainKey, steps: 50 });
    expect(board.totalCount).toBe(3);
    expect(board.rows[2]).toEqual({
      version: { ref: refs.slow, precision: "INT8", model: { name: "student-slow", role: "STUDENT" } },
      fid: 15,
      latencyP50Ms: 50,
      latencyP95Ms: 60,
      throughput: 20,
      peakMemoryBytes: 1536 * MIB,
      params: 10_000_000,
      sizeBytes: 1024,
      dominated: true,
    });
  });

  it("filters, orders, keeps to the Pareto front and pages up to --limit", async () => {
    const versions = async (args: string[]) => {
      const result = await distillery([...args, "--json"]);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { rows: Array<{ version: { ref: string } }> }).rows.map((row) => row.version.ref);
    };
    expect(await versions(["--pareto"])).toEqual([refs.teacher, refs.fast]);
    expect(await versions(["--order-by", "latency", "--descending"])).toEqual([refs.teacher, refs.slow, refs.fast]);
    expect(await versions(["--order-by", "MEMORY"])).toEqual([refs.fast, refs.slow, refs.teacher]);
    expect(await versions(["--role", "student"])).toEqual([refs.fast, refs.slow]);
    expect(await versions(["--precision", "int8"])).toEqual([refs.slow]);
    expect(await versions(["--protocol", olderKey.slice(0, 8)])).toEqual([refs.old]);
    expect(await versions(["--protocol", mainKey, "--limit", "2"])).toEqual([refs.teacher, refs.fast]);

    const limited = await distillery(["--limit", "1"]);
    expect(limited.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(limited.stderr).toContain("the first 1 of 3 versions (--limit)");
  });

  it("an unknown protocol exits 4 with the API's reason; bad options exit 2", async () => {
    const unknown = await distillery(["--protocol", "feedface"]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe('distillery: PROTOCOL_NOT_FOUND: No evaluation protocol with key "feedface"\n');
    expect((await distillery(["--order-by", "speed"])).code).toBe(2);
    expect((await distillery(["--limit", "0"])).code).toBe(2);
    expect((await distillery(["--role", "critic"])).code).toBe(2);
  });
});
