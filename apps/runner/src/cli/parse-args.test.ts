import { describe, expect, it } from "vitest";
import { type RunnerConfig, UsageError, parseRunnerArgs } from "./parse-args";

const defaults = { hostname: "gpu-box-1", cwd: "/srv" };

function config(argv: string[], env: NodeJS.ProcessEnv = {}): RunnerConfig {
  const parsed = parseRunnerArgs(argv, env, defaults);
  if (parsed.help) throw new Error("unexpected --help");
  return parsed.config;
}

describe("parseRunnerArgs", () => {
  it("applies the defaults", () => {
    expect(config(["--api", "http://127.0.0.1:4000", "--token", "dst_x"])).toEqual({
      apiUrl: "http://127.0.0.1:4000",
      token: "dst_x",
      name: "gpu-box-1",
      labels: [],
      workDir: "/srv/runner-work",
      allowCommandJobs: false,
      once: false,
      python: "/usr/bin/python3",
      killGraceSeconds: 10,
    });
  });

  it("reads every flag", () => {
    const argv = [
      "--api=https://distillery.example.com/base/graphql/",
      "--token=dst_y",
      "--name=local",
      "--labels", " a100, fast ,,a100",
      "--work-dir", "work",
      "--allow-command-jobs",
      "--once",
      "--python", "/opt/venv/bin/python",
      "--kill-grace-seconds", "2.5",
    ];
    expect(config(argv)).toEqual({
      apiUrl: "https://distillery.example.com/base",
      token: "dst_y",
      name: "local",
      labels: ["a100", "fast"],
      workDir: "/srv/work",
      allowCommandJobs: true,
      once: true,
      python: "/opt/venv/bin/python",
      killGraceSeconds: 2.5,
    });
  });

  it("falls back to the environment, and flags win over it", () => {
    const env = { DISTILLERY_API: "http://api:4000/", DISTILLERY_TOKEN: "dst_env", DISTILLERY_RUNNER_NAME: "from-env", DISTILLERY_PYTHON: "/py" };
    expect(config([], env)).toMatchObject({ apiUrl: "http://api:4000", token: "dst_env", name: "from-env", python: "/py" });
    expect(config(["--name", "flag", "--token", "dst_flag"], env)).toMatchObject({ name: "flag", token: "dst_flag" });
  });

  it("treats empty environment variables as unset", () => {
    const env = { DISTILLERY_API: "http://api:4000", DISTILLERY_TOKEN: "t", DISTILLERY_RUNNER_NAME: "", DISTILLERY_PYTHON: " " };
    expect(config([], env)).toMatchObject({ name: "gpu-box-1", python: "/usr/bin/python3" });
  });

  it("answers --help without requiring anything else", () => {
    expect(parseRunnerArgs(["--help"], {}, defaults)).toEqual({ help: true });
  });

  it.each([
    [["--token", "t"], "the API URL is required"],
    [["--api", "http://x"], "a token is required"],
    [["--api", "ftp://x", "--token", "t"], "expected http:// or https://"],
    [["--api", "not a url", "--token", "t"], "not a URL"],
    [["--api", "http://x", "--token", "t", "--kill-grace-seconds", "-1"], "--kill-grace-seconds"],
    [["--api", "http://x", "--token", "t", "--kill-grace-seconds", "soon"], "--kill-grace-seconds"],
    [["--api", "http://x", "--token", "t", "--bogus"], "Unknown option '--bogus'"],
    [["--api", "http://x", "--token", "t", "extra"], "Unexpected argument 'extra'"],
    [["--api", "http://x", "--token", "t", "--name", " "], "the runner name is empty"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseRunnerArgs(argv, {}, defaults)).toThrow(UsageError);
    expect(() => parseRunnerArgs(argv, {}, defaults)).toThrow(message);
  });
  it("turns a host name into a valid runner name when no name is given", () => {
    const parsed = parseRunnerArgs(["--api", "http://x:4000", "--token", "t"], {}, { hostname: "GPU_Box 7.lab", cwd: "/srv" });
    if (parsed.help) throw new Error("unexpected --help");
    expect(parsed.config.name).toBe("gpu_box-7.lab");
  });
});
