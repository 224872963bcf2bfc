import { mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "./support/api-server";
import { cli } from "./support/cli-process";

/** login and whoami against the real API, with the config folder in a temporary directory. */
describe("distillery login and whoami (the real API on PGlite)", () => {
  let server: ApiServer;
  let scratch: string;
  let readToken: string;

  beforeAll(async () => {
    server = await startApiServer();
    scratch = join(server.dataDir, "scratch");
    await mkdir(scratch);
    const minted = await server.graphql(`mutation { createApiToken(input: { name: "ci-reader", owner: "ci", scopes: [READ] }) { token } }`);
    readToken = minted.data.createApiToken.token;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh config folder, and the CLI run from a folder with no ./data/admin-token to fall back on. */
  async function configFolder(name: string) {
    const directory = join(scratch, name);
    const run = (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
      cli(args, { ...options, cwd: scratch, env: { DISTILLERY_CONFIG_DIR: directory, ...options.env } });
    return { directory, file: join(directory, "config.json"), run };
  }

  it("saves a token read from stdin in a 0600 file once the API accepts it, and whoami then uses it", async () => {
    const config = await configFolder("from-stdin");
    const login = await config.run(["login", "--api", server.url], { input: `${server.admin}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe(`Logged in to ${server.url} as admin (owner admin, scopes ADMIN); saved to ${config.file}\n`);
    expect((await stat(config.file)).mode & 0o777).toBe(0o600);
    expect((await stat(config.directory)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(config.file, "utf8"))).toEqual({ api: server.url, token: server.admin });

    // No --api, no token: both come from the saved login.
    const whoami = await config.run(["whoami"]);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain(`API     ${server.url}\n`);
    expect(whoami.stdout).toContain("Token   admin (dst_");
    expect(whoami.stdout).toContain("Scopes  ADMIN\n");
    expect(whoami.stdout).toContain("Expires never\n");
    expect(whoami.stdout).toContain(`From    distillery login (${config.file})\n`);

    const json = await config.run(["whoami", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      api: server.url,
      tokenSource: `distillery login (${config.file})`,
      token: { name: "admin", owner: "admin", scopes: ["ADMIN"], expiresAt: null },
    });
  });

  it("takes DISTILLERY_TOKEN when nothing is piped, and a later --token or DISTILLERY_TOKEN wins over the saved one", async () => {
    const config = await configFolder("from-env");
    const login = await config.run(["login", "--api", server.url], { env: { DISTILLERY_TOKEN: readToken } });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain("as ci-reader (owner ci, scopes READ)");

    const saved = await config.run(["whoami", "--json"]);
    expect(JSON.parse(saved.stdout)).toMatchObject({ token: { name: "ci-reader", owner: "ci", scopes: ["READ"] } });
    const flagged = await config.run(["whoami", "--json", "--token", server.admin]);
    expect(JSON.parse(flagged.stdout)).toMatchObject({ tokenSource: "--token", token: { name: "admin" } });
    const fromEnv = await config.run(["whoami", "--json"], { env: { DISTILLERY_TOKEN: server.admin } });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ tokenSource: "DISTILLERY_TOKEN", token: { name: "admin" } });
  });

  it("refuses a wrong token with exit 3 and saves nothing; a saved login stays as it was", async () => {
    const config = await configFolder("wrong");
    const wrong = await config.run(["login", "--api", server.url], { input: "dst_not-a-real-token\n" });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/^distillery: TOKEN_INVALID: /);
    await expect(stat(config.directory)).rejects.toThrow("ENOENT");

    const empty = await config.run(["login", "--api", server.url], { input: "" });
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain("no token on stdin");
    await expect(stat(config.directory)).rejects.toThrow("ENOENT");

    expect((await config.run(["login", "--api", server.url], { input: server.admin })).code).toBe(0);
    expect((await config.run(["login", "--api", server.url], { input: "dst_still-wrong\n" })).code).toBe(3);
    expect(JSON.parse(await readFile(config.file, "utf8"))).toEqual({ api: server.url, token: server.admin });
  });

  it("whoami without any token, or with one the API refuses, exits 3", async () => {
    const config = await configFolder("none");
    const none = await config.run(["whoami", "--api", server.url]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain(`no token for ${server.url}: run distillery login --api ${server.url}`);
    const refused = await config.run(["whoami", "--api", server.url, "--token", "dst_nope"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^distillery: TOKEN_INVALID: /);
  });

  it("explains bad arguments with exit 2", async () => {
    const config = await configFolder("usage");
    expect((await config.run(["login", "--api", "ftp://example.com"], { input: server.admin })).code).toBe(2);
    expect((await config.run(["login", "extra"], { input: server.admin })).code).toBe(2);
    expect((await config.run(["whoami", "--colour"])).code).toBe(2);
  });
});
