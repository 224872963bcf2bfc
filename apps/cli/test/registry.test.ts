import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, freePort, startApiServer } from "./support/api-server";
import { cli } from "./support/cli-process";

/** More than one page of `models` (the API's page holds at most 100). */
const EXTRA_MODELS = 101;

describe("distillery models, versions and alias (the CLI as a child process, the real API on PGlite)", () => {
  let server: ApiServer;
  let scratch: string;

  const distillery = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    cli(args, { cwd: scratch, env: { DISTILLERY_API: server.url, DISTILLERY_TOKEN: server.admin, ...env } });
  const push = async (bytes: number, args: string[]) => {
    const path = join(scratch, `file-${randomBytes(4).toString("hex")}.onnx`);
    await writeFile(path, randomBytes(bytes));
    const result = await distillery(["push", path, ...args]);
    expect(result.code, result.stderr).toBe(0);
  };
  /** Table rows split on runs of spaces: what `awk` sees. */
  const rows = (table: string) => table.trimEnd().split("\n").map((line) => line.split(/ {2,}/));

  beforeAll(async () => {
    server = await startApiServer();
    scratch = join(server.dataDir, "scratch");
    await mkdir(scratch);
    await push(3000, ["--model", "fm-teacher", "--role", "teacher", "--family", "unet-l", "--precision", "fp32", "--params", "52000000"]);
    await push(2048, ["--model", "student", "--role", "student", "--family", "unet-s", "--precision", "fp32", "--params", "1300000", "--parent", "fm-teacher@v1:distilled_from", "--alias", "production"]);
    await push(1024, ["--model", "student", "--precision", "int8", "--params", "1300000", "--parent", "student@v1:quantized_from", "--alias", "staging"]);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("models: a table of every model with its role, family, version count and aliases; --role filters; --json for scripts", async () => {
    const table = await distillery(["models"]);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...body] = rows(table.stdout);
    expect(header).toEqual(["NAME", "ROLE", "FAMILY", "VERSIONS", "ALIASES", "UPDATED"]);
    expect(body.map((row) => row.slice(0, 5))).toEqual([
      ["fm-teacher", "teacher", "unet-l", "1", "-"],
      ["student", "student", "unet-s", "2", "production=v1,staging=v2"],
    ]);
    expect(body[0]![5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);

    const teachers = await distillery(["models", "--role", "TEACHER"]);
    expect(rows(teachers.stdout).map((row) => row[0])).toEqual(["NAME", "fm-teacher"]);

    const json = await distillery(["models", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name: "fm-teacher", role: "TEACHER", family: "unet-l", versions: 1, aliases: {} }),
      expect.objectContaining({ name: "student", role: "STUDENT", family: "unet-s", versions: 2, aliases: { production: 1, staging: 2 } }),
    ]);
  });

  it("models pages through every page of the API", async () => {
    for (let index = 0; index < EXTRA_MODELS; index += 1) {
      const answer = await server.graphql(`mutation($name: String!) { createModel(input: { name: $name, role: EXTRACTOR }) { name } }`, { name: `x-${String(index).padStart(3, "0")}` });
      expect(answer.errors).toBeUndefined();
    }
    const listed = await distillery(["models", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((model) => model.name);
    expect(names).toHaveLength(EXTRA_MODELS + 2);
    expect(names.at(-1)).toBe(`x-${String(EXTRA_MODELS - 1).padStart(3, "0")}`);
    const extractors = await distillery(["models", "--role", "extractor"]);
    expect(rows(extractors.stdout)).toHaveLength(EXTRA_MODELS + 1);
  });

  it("versions: newest first with precision, format, parameters, size, status, aliases and parent; --json with the lineage", async () => {
    const table = await distillery(["versions", "student"]);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...body] = rows(table.stdout);
    expect(header).toEqual(["VERSION", "PRECISION", "FORMAT", "PARAMS", "SIZE", "STATUS", "ALIASES", "PARENT", "CREATED"]);
    expect(body.map((row) => row.slice(0, 8))).toEqual([
      ["v2", "int8", "onnx", "1.3M", "1.0 KiB", "ready", "staging", "student@v1:quantized_from"],
      ["v1", "fp32", "onnx", "1.3M", "2.0 KiB", "ready", "production", "fm-teacher@v1:distilled_from"],
    ]);

    const json = await distillery(["versions", "student", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const versions = JSON.parse(json.stdout);
    expect(versions).toHaveLength(2);
    expect(versions[1]).toMatchObject({
      ref: "student@v1",
      version: 1,
      precision: "FP32",
      format: "ONNX",
      params: 1300000,
      sizeBytes: 2048,
      status: "READY",
      aliases: ["production"],
      parents: [{ ref: "fm-teacher@v1", relation: "DISTILLED_FROM", recipe: {} }],
      createdBy: "admin",
    });
    expect(versions[1].digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("alias set moves an alias (saying where it pointed), alias rm removes it", async () => {
    const moved = await distillery(["alias", "set", "student", "production", "2"]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toBe("student@production -> v2 (was v1)\n");
    const created = await distillery(["alias", "set", "student", "canary", "v1"]);
    expect(created.stdout).toBe("student@canary -> v1 (new)\n");
    const again = await distillery(["alias", "set", "student", "canary", "1"]);
    expect(again.stdout).toBe("student@canary -> v1 (unchanged)\n");

    const aliases = async () => (await server.graphql(`{ model(name: "student") { aliases { name version { version } } } }`)).data.model.aliases;
    expect(await aliases()).toEqual([
      { name: "canary", version: { version: 1 } },
      { name: "production", version: { version: 2 } },
      { name: "staging", version: { version: 2 } },
    ]);

    const removed = await distillery(["alias", "rm", "student", "canary"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe("removed student@canary (was v1)\n");
    expect((await aliases()).map((alias: { name: string }) => alias.name)).toEqual(["production", "staging"]);

    const gone = await distillery(["alias", "rm", "student", "canary"]);
    expect(gone.code).toBe(4);
    expect(gone.stderr).toBe('distillery: ALIAS_NOT_FOUND: Model "student" has no alias "canary"\n');
  });

  it("says in one line why it cannot, with the exit status for the reason", async () => {
    const failures: Array<[string[], number, RegExp]> = [
      [["alias", "set", "student", "production", "9"], 4, /^distillery: VERSION_NOT_FOUND: Model "student" has no version 9\n$/],
      [["alias", "set", "nobody", "production", "1"], 4, /^distillery: MODEL_NOT_FOUND: /],
      [["versions", "nobody"], 4, /^distillery: MODEL_NOT_FOUND: No model named "nobody"\n$/],
      [["alias", "set", "student", "production", "latest"], 2, /a version is a number like 3 or v3/],
      [["alias", "set", "student", "latest", "1"], 2, /reserved/],
      [["alias", "set", "student", "production"], 2, /alias set needs <version>/],
      [["alias", "rm", "student"], 2, /alias rm needs <alias>/],
      [["alias", "mv", "student", "a", "b"], 2, /unknown alias command "mv"/],
      [["alias"], 2, /alias needs a command/],
      [["versions"], 2, /versions needs <name>/],
      [["models", "student"], 2, /unexpected argument "student"/],
      [["models", "--role", "boss"], 2, /--role must be teacher, student, extractor/],
      [["models", "--token", "dst_wrong"], 3, /^distillery: TOKEN_INVALID: /],
      [["versions", "student", "--token", "dst_wrong"], 3, /^distillery: TOKEN_INVALID: /],
    ];
    for (const [args, code, message] of failures) {
      const result = await distillery(args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
    }
    const away = await distillery(["models", "--api", `http://127.0.0.1:${await freePort()}`]);
    expect(away.code).toBe(7);
    expect(away.stderr).toMatch(/^distillery: cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});
