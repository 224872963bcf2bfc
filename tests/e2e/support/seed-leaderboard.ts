import type { EvaluationMeasurements } from "@distillery/domain";
import type { ApiServer } from "../../../apps/cli/test/support/api-server";
import { evaluationSeeder, seededProtocol } from "../../../apps/cli/test/support/evaluation-seeding";

const MIB = 1024 * 1024;
/** The leaderboard page shows 100 rows: a few more make a second page. */
export const SWEEP_VERSIONS = 104;

export interface SeededVersion extends EvaluationMeasurements {
  ref: string;
  dominated: boolean;
}

/**
 * A sweep of versions under a 4-step protocol, then five versions under a 50-step one, two of
 * them dominated (worse than student-fast on FID, latency and memory alike); posted the way
 * runners post them.
 */
export async function seedLeaderboard(server: ApiServer): Promise<{ seeded: SeededVersion[]; sweep: string[] }> {
  const seeder = await evaluationSeeder(server);
  const extractor = await seeder.version("features", "EXTRACTOR", "FP32");

  // First, so the five below are the most recently used protocol (the page's default): a sweep of
  // SWEEP_VERSIONS versions under a 4-step protocol, more than one page of the leaderboard.
  const sweep: string[] = [];
  const sweepProtocol = seededProtocol(extractor, 4);
  for (let index = 0; index < SWEEP_VERSIONS; index++) {
    const ref = index === 0 ? await seeder.version("sweep", "STUDENT", "FP32") : await seeder.nextVersion("sweep", "FP32");
    await seeder.post(ref, sweepProtocol, { fid: 5 + index, latencyP50Ms: 200 - index, latencyP95Ms: 250, throughput: 5, peakMemoryBytes: 512 * MIB, params: 1_000_000 });
    sweep.push(ref);
  }

  const protocol = seededProtocol(extractor, 50);

  const seeded: SeededVersion[] = [];
  const post = async (name: string, role: string, precision: string, measured: EvaluationMeasurements, dominated: boolean) => {
    const ref = await seeder.version(name, role, precision);
    await seeder.post(ref, protocol, measured);
    seeded.push({ ref, dominated, ...measured });
  };
  await post("teacher", "TEACHER", "FP32", { fid: 10, latencyP50Ms: 100, latencyP95Ms: 120, throughput: 10, peakMemoryBytes: 4096 * MIB, params: 50_000_000 }, false);
  await post("student-fast", "STUDENT", "FP32", { fid: 12, latencyP50Ms: 40, latencyP95Ms: 50, throughput: 25, peakMemoryBytes: 1024 * MIB, params: 10_000_000 }, false);
  await post("student-tiny", "STUDENT", "INT8", { fid: 20, latencyP50Ms: 15, latencyP95Ms: 18, throughput: 60, peakMemoryBytes: 256 * MIB, params: 2_000_000 }, false);
  // Worse than student-fast on FID, latency and memory: dominated.
  await post("student-slow", "STUDENT", "INT8", { fid: 15, latencyP50Ms: 50, latencyP95Ms: 60, throughput: 20, peakMemoryBytes: 1536 * MIB, params: 10_000_000 }, true);
  // Worse than student-fast everywhere too.
  await post("student-fp16", "STUDENT", "FP16", { fid: 18, latencyP50Ms: 70, latencyP95Ms: 90, throughput: 14, peakMemoryBytes: 2048 * MIB, params: 10_000_000 }, true);
  return { seeded, sweep };
}
