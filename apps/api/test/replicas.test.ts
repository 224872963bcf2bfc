import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createModel } from "./support/factories";
import { freePort } from "./support/free-port";
import { GraphQLClient } from "./support/graphql-client";
import { createTestDatabase, databaseKind } from "./support/test-database";
import { launchApi, stopProcess } from "./support/test-server";

/**
 * Stateless API replicas share one PostgreSQL. Started at the same moment against an empty
 * database, they must migrate once and mint exactly one admin token between them.
 * (Embedded PGlite belongs to a single process, so this runs on PostgreSQL only.)
 */
describe.runIf(databaseKind === "postgresql")("two API replicas on one PostgreSQL", () => {
  it("start together on an empty database, mint one admin token, and serve the same registry", async () => {
    const database = await createTestDatabase();
    const dataDirs = await Promise.all([0, 1].map(() => mkdtemp(join(tmpdir(), "distillery-replica-"))));
    const ports = await Promise.all([freePort(), freePort()]);
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const replicas = await Promise.all(
      [0, 1].map((index) =>
        launchApi(urls[index]!, { PORT: String(ports[index]), DISTILLERY_DATA_DIR: dataDirs[index]!, DATABASE_URL: database.url! }),
      ),
    );
    try {
      const minted = dataDirs.filter((dir) => existsSync(join(dir, "admin-token")));
      expect(minted).toHaveLength(1);
      const token = (await readFile(join(minted[0]!, "admin-token"), "utf8")).trim();
      const [first, second] = urls.map((url) => new GraphQLClient(url, token));
      expect((await first!.ok(`{ apiTokens { name } }`)).apiTokens).toEqual([{ name: "admin" }]);
      const model = await createModel(first!);
      expect((await second!.ok(`query($n: String!) { model(name: $n) { name } }`, { n: model.name })).model.name).toBe(model.name);
    } finally {
      await Promise.all(replicas.map((replica) => stopProcess(replica.child, "SIGTERM")));
      await database.drop();
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});
