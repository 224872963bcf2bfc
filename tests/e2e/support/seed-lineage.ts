import { createHash, randomBytes } from "node:crypto";
import type { EvaluationMeasurements } from "@distillery/domain";
import type { ApiServer } from "../../../apps/cli/test/support/api-server";
import { evaluationSeeder, seededProtocol } from "../../../apps/cli/test/support/evaluation-seeding";

const MIB = 1024 * 1024;

export interface SeededEvaluation extends EvaluationMeasurements {
  ref: string;
  steps: number;
}

export interface SeededLineage {
  teacher: string;
  /** DISTILLED_FROM the teacher, strategy output. */
  student: string;
  /** DISTILLED_FROM the teacher, strategy progressive. */
  student2: string;
  /** QUANTIZED_FROM student (int8-dynamic), a version of the same model. */
  int8: string;
  /** A WRITE token acting as alice: she moved production from v1 to v2. */
  alice: string;
  evaluations: SeededEvaluation[];
}

export const STUDENT_RECIPE = { strategy: "output", temperature: 2 };
export const PROGRESSIVE_RECIPE = { strategy: "progressive", stages: 3 };
export const INT8_RECIPE = { method: "int8-dynamic" };

/**
 * A small lineage, registered the way the CLI registers it (blob first, then the version with
 * its parents): sd-teacher@v1 -> sd-student@v1 (and @v2) -> sd-student@v3 in INT8. production
 * was set on v1 by admin and moved to v2 by alice; staging points at v3; canary was set on v1
 * and deleted. Evaluations are posted under a runner's lease for the teacher, student v1 and the
 * int8 variant (that one twice, under two protocols).
 */
export async function seedLineage(server: ApiServer): Promise<SeededLineage> {
  const ok = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const answer = await server.graphql(query, variables, token);
    if (answer.errors) throw new Error(`${JSON.stringify(answer.errors)}\n${server.output()}`);
    return answer.data;
  };
  const createModel = (input: Record<string, unknown>) => ok(`mutation($input: CreateModelInput!) { createModel(input: $input) { id } }`, { input });
  const register = async (model: string, precision: string, params: number, parents: Array<{ ref: string; relation: string; recipe: Record<string, unknown> }>, metadata: Record<string, unknown>) => {
    const bytes = randomBytes(2048);
    const hex = createHash("sha256").update(bytes).digest("hex");
    const put = await fetch(`${server.url}/v1/blobs/sha256/${hex}`, { method: "PUT", headers: { authorization: `Bearer ${server.admin}` }, body: bytes });
    if (put.status !== 201) throw new Error(`the blob upload answered HTTP ${put.status}`);
    const data = await ok(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { ref } }`, {
      input: { model, digest: `sha256:${hex}`, format: "ONNX", precision, params, parents, metadata },
    });
    return data.registerModelVersion.ref as string;
  };
  const setAlias = (alias: string, version: number, token?: string) =>
    ok(`mutation($input: SetAliasInput!) { setAlias(input: $input) { name } }`, { input: { model: "sd-student", alias, version } }, token);

  const seeder = await evaluationSeeder(server);
  const extractor = await seeder.version("features", "EXTRACTOR", "FP32");

  await createModel({ name: "sd-teacher", role: "TEACHER", family: "unet-sd15", description: "The full-size teacher.", tags: ["diffusion", "teacher"] });
  await createModel({ name: "sd-student", role: "STUDENT", family: "unet-sd15-small", description: "Distilled from sd-teacher, with an int8 build.", tags: ["diffusion"] });
  const teacher = await register("sd-teacher", "FP32", 50_000_000, [], { channels: [64, 128, 256] });
  const student = await register("sd-student", "FP32", 10_000_000, [{ ref: teacher, relation: "DISTILLED_FROM", recipe: STUDENT_RECIPE }], { channels: [32, 64] });
  const student2 = await register("sd-student", "FP32", 10_000_000, [{ ref: teacher, relation: "DISTILLED_FROM", recipe: PROGRESSIVE_RECIPE }], { channels: [32, 64] });
  const int8 = await register("sd-student", "INT8", 10_000_000, [{ ref: student, relation: "QUANTIZED_FROM", recipe: INT8_RECIPE }], { quantization: { method: "int8-dynamic" } });

  const alice = (await ok(`mutation { createApiToken(input: { name: "alice-laptop", owner: "alice", scopes: [WRITE] }) { token } }`)).createApiToken.token as string;
  await setAlias("production", 1);
  await setAlias("production", 2, alice);
  await setAlias("staging", 3);
  // A canary that came and went: its history stays on the model page.
  await setAlias("canary", 1);
  await ok(`mutation { deleteAlias(model: "sd-student", alias: "canary") }`);

  const evaluations: SeededEvaluation[] = [];
  const post = async (ref: string, steps: number, measured: EvaluationMeasurements) => {
    await seeder.post(ref, seededProtocol(extractor, steps), measured);
    evaluations.push({ ref, steps, ...measured });
  };
  await post(teacher, 50, { fid: 10.5, latencyP50Ms: 100, latencyP95Ms: 120, throughput: 10, peakMemoryBytes: 4096 * MIB, params: 50_000_000 });
  await post(student, 50, { fid: 12.25, latencyP50Ms: 40, latencyP95Ms: 52, throughput: 25, peakMemoryBytes: 1024 * MIB, params: 10_000_000 });
  await post(int8, 50, { fid: 13.75, latencyP50Ms: 22, latencyP95Ms: 30, throughput: 45, peakMemoryBytes: 512 * MIB, params: 10_000_000 });
  await post(int8, 25, { fid: 15.5, latencyP50Ms: 12, latencyP95Ms: 16, throughput: 80, peakMemoryBytes: 512 * MIB, params: 10_000_000 });
  return { teacher, student, student2, int8, alice, evaluations };
}
