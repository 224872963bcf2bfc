import { resolve } from "node:path";
import { parseArgs } from "node:util";

export interface RunnerConfig {
  /** Base URL of the API, without a trailing slash or /graphql. */
  apiUrl: string;
  token: string;
  name: string;
  labels: string[];
  workDir: string;
  allowCommandJobs: boolean;
  once: boolean;
  python: string;
  killGraceSeconds: number;
}

export type ParsedArgs = { help: true } | { help: false; config: RunnerConfig };

/** Bad arguments: bin.ts prints the message with the usage hint and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface ArgDefaults {
  hostname: string;
  cwd: string;
}

const DEFAULT_PYTHON = "/usr/bin/python3";
const DEFAULT_KILL_GRACE_SECONDS = 10;

/** Flags win over environment variables, which win over defaults. */
export function parseRunnerArgs(argv: string[], env: NodeJS.ProcessEnv, defaults: ArgDefaults): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        api: { type: "string" },
        token: { type: "string" },
        name: { type: "string" },
        labels: { type: "string" },
        "work-dir": { type: "string" },
        "allow-command-jobs": { type: "boolean" },
        once: { type: "boolean" },
        python: { type: "string" },
        "kill-grace-seconds": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };

  const token = (values.token ?? fromEnv(env, "DISTILLERY_TOKEN") ?? "").trim();
  if (!token) throw new UsageError("a token is required: --token or DISTILLERY_TOKEN");
  const name = (values.name ?? fromEnv(env, "DISTILLERY_RUNNER_NAME") ?? runnerNameOf(defaults.hostname)).trim();
  if (!name) throw new UsageError("the runner name is empty: pass --name");
  return {
    help: false,
    config: {
      apiUrl: apiUrlOf(values.api ?? fromEnv(env, "DISTILLERY_API")),
      token,
      name,
      labels: labelsOf(values.labels),
      workDir: resolve(defaults.cwd, values["work-dir"] ?? "runner-work"),
      allowCommandJobs: values["allow-command-jobs"] ?? false,
      once: values.once ?? false,
      python: values.python ?? fromEnv(env, "DISTILLERY_PYTHON") ?? DEFAULT_PYTHON,
      killGraceSeconds: graceOf(values["kill-grace-seconds"]),
    },
  };
}

/** An empty variable (`DISTILLERY_RUNNER_NAME=` in a compose file) counts as unset. */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Accepts the base URL or the /graphql endpoint itself. */
function apiUrlOf(value: string | undefined): string {
  if (!value) throw new UsageError("the API URL is required: --api or DISTILLERY_API");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--api: not a URL: ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--api: expected http:// or https://, got ${value}`);
  if (url.search || url.hash) throw new UsageError(`--api: expected a base URL without ? or #, got ${value}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "").replace(/\/graphql$/, "")}`;
}

function labelsOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...new Set(value.split(",").map((label) => label.trim()).filter(Boolean))];
}

function graceOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_KILL_GRACE_SECONDS;
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--kill-grace-seconds: expected a number >= 0, got "${value}"`);
  return seconds;
}

/** Host names may carry capitals or characters runner names may not (names are lower-case slugs). */
function runnerNameOf(hostname: string): string {
  return hostname.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 100);
}
