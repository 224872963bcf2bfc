import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeApi, type FakeApiOptions, type FakeJob } from "./fake-api";
import { type RunnerProcess, startRunner } from "./runner-process";
import { waitFor } from "./wait-for";

/** A fake API, a fresh work directory, and the runners started against them; stop() cleans all up. */
export interface RunnerFixture {
  api: FakeApi;
  workDir: string;
  /** The usual flags for this fixture plus `extra`. */
  args(extra?: string[]): string[];
  start(extra?: string[], env?: NodeJS.ProcessEnv): RunnerProcess;
  waitForState(job: FakeJob, ...states: FakeJob["state"][]): Promise<void>;
  /** The spool's files, as `<jobId>/<seq>.json`. */
  spooled(): Promise<string[]>;
  spooledEntries(): Promise<Array<{ seq: number; payload: { type: string } }>>;
  stop(): Promise<void>;
}

export async function runnerFixture(options: FakeApiOptions = {}): Promise<RunnerFixture> {
  const api = await FakeApi.start({ maxWaitSeconds: 1, ...options });
  const workDir = await mkdtemp(join(tmpdir(), "runner-test-"));
  const runners: RunnerProcess[] = [];
  const spoolDir = join(workDir, "spool");
  const spooled = async () => {
    const jobs = await readdir(spoolDir).catch(() => [] as string[]);
    const files = await Promise.all(jobs.map(async (job) => (await readdir(join(spoolDir, job)).catch(() => [] as string[])).map((file) => `${job}/${file}`)));
    return files.flat().filter((file) => file.endsWith(".json")).sort();
  };
  const fixture: RunnerFixture = {
    api,
    workDir,
    args: (extra = []) => [
      "--api", api.url,
      "--token", api.runnerToken,
      "--name", "test-runner",
      "--work-dir", workDir,
      // No interpreter: the torch probe answers at once.
      "--python", join(workDir, "no-python"),
      "--allow-command-jobs",
      "--kill-grace-seconds", "1",
      ...extra,
    ],
    start(extra = [], env = {}) {
      const runner = startRunner(fixture.args(extra), env);
      runners.push(runner);
      return runner;
    },
    async waitForState(job, ...states) {
      await waitFor(`job ${job.id} to be ${states.join(" or ")} (it is ${job.state})\n${runners.map((runner) => runner.output()).join("\n")}`, () => states.includes(job.state), 30_000);
    },
    spooled,
    async spooledEntries() {
      // A file can be delivered and deleted between readdir and readFile: skip it.
      const texts = await Promise.all((await spooled()).map((file) => readFile(join(spoolDir, file), "utf8").catch(() => undefined)));
      return texts.filter((text): text is string => text !== undefined).map((text) => JSON.parse(text));
    },
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop("SIGKILL")));
      await api.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
