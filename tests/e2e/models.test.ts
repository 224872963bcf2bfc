import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiServer } from "../../apps/cli/test/support/api-server";
import { type BrowserSession, mintToken, openBrowser, signIn } from "../support/chromium";
import { startWeb, type WebProcess } from "../support/web-process";
import { browserSuite } from "./support/browser-suite";
import { startE2eApi } from "./support/e2e-api";
import { INT8_RECIPE, PROGRESSIVE_RECIPE, type SeededLineage, seedLineage, STUDENT_RECIPE } from "./support/seed-lineage";

/**
 * The model registry's pages as a user meets them: the real API (PGlite) and `next start`, Debian's
 * Chromium. Lineage, aliases and evaluations are seeded through GraphQL; promoting goes through
 * the page's form (a server action) and a read-only token sees no write controls.
 */
browserSuite("web: models, lineage, alias history and promote (real API, next start, Chromium)", () => {
  let api: ApiServer;
  let web: WebProcess;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let seeded: SeededLineage;

  /** Each body row's cells (th and td), trimmed. */
  const rows = async (table: string | Locator): Promise<string[][]> => {
    const trs = await (typeof table === "string" ? page.locator(table) : table).locator("tbody tr").all();
    return Promise.all(trs.map(async (tr) => (await tr.locator("th, td").allTextContents()).map((cell) => cell.trim())));
  };
  /** Lineage table rows with the recipe cell parsed: the API stores recipes as jsonb, which orders keys its own way. */
  const edgeRows = async (table: string | Locator) => (await rows(table)).map(([parent, relation, child, recipe]) => [parent, relation, child, JSON.parse(recipe ?? "null")]);
  const captioned = (caption: string) => page.locator("table.lineage-edges", { has: page.locator("caption", { hasText: new RegExp(`^${caption}$`) }) });
  const productionOf = async () =>
    (await api.graphql(`{ model(name: "sd-student") { aliases { name version { version } } } }`)).data.model.aliases.find((alias: { name: string }) => alias.name === "production").version
      .version as number;

  beforeAll(async () => {
    api = await startE2eApi();
    seeded = await seedLineage(api);
    web = await startWeb(api.url);
    session = await openBrowser();
    ({ context, page } = session);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.url });
    await signIn(page, web.url, api.admin);
  }, 150_000);

  afterAll(async () => {
    await session?.close();
    await web?.stop();
    await api?.stop();
  });

  it("lists the models with role, family, versions and aliases, and filters by role and name", async () => {
    await page.goto(`${web.url}/models`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Models");
    expect(await page.getByTestId("total-count").textContent()).toBe("3");
    const listed = await rows("table.models-list");
    expect(listed.map((row) => row[0])).toEqual(["features", "sd-student", "sd-teacher"]);
    const student = listed.find((row) => row[0] === "sd-student")!;
    expect(student.slice(1, 4)).toEqual(["student", "unet-sd15-small", "3"]);
    expect(student[4]).toContain("production → v2");
    expect(student[4]).toContain("staging → v3");
    await session.screenshot("models-list");

    await page.getByLabel("Role").selectOption("TEACHER");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("role") === "TEACHER");
    expect((await rows("table.models-list")).map((row) => row[0])).toEqual(["sd-teacher"]);

    await page.getByLabel("Role").selectOption("");
    await page.getByLabel("Name contains").fill("stud");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("name") === "stud");
    expect((await rows("table.models-list")).map((row) => row[0])).toEqual(["sd-student"]);

    await page.getByRole("link", { name: "sd-student" }).click();
    await page.waitForURL((url) => url.pathname === "/models/sd-student");
  });

  it("shows the model's versions and its lineage graph, teacher left of the student left of the int8 build", async () => {
    await page.goto(`${web.url}/models/sd-student`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("sd-student");
    const versions = await rows("table.versions");
    expect(versions.map((row) => row.slice(0, 3))).toEqual([
      ["v3", "INT8", "ONNX"],
      ["v2", "FP32", "ONNX"],
      ["v1", "FP32", "ONNX"],
    ]);
    expect(versions[0]![4]).toBe("2.0 KiB");
    expect(versions[0]![6]).toBe("staging");

    const nodes = page.locator(".lineage svg a.node");
    expect((await nodes.evaluateAll((links) => links.map((link) => link.getAttribute("data-ref")))).sort()).toEqual(
      [seeded.teacher, seeded.student, seeded.student2, seeded.int8].sort(),
    );
    const x = async (ref: string) => Number(await page.locator(`.lineage a.node[data-ref="${ref}"] rect`).getAttribute("x"));
    expect(await x(seeded.teacher)).toBeLessThan(await x(seeded.student));
    expect(await x(seeded.student)).toBe(await x(seeded.student2));
    expect(await x(seeded.student)).toBeLessThan(await x(seeded.int8));
    expect(await page.locator(`.lineage a.node[data-ref="${seeded.int8}"] .node-meta`).textContent()).toBe("INT8");
    expect(await page.locator(`.lineage a.node[data-ref="${seeded.int8}"]`).getAttribute("href")).toBe("/models/sd-student/versions/3");
    expect(await page.locator(".lineage .edge-label").allTextContents()).toEqual(
      expect.arrayContaining(["DISTILLED_FROM · strategy=output", "DISTILLED_FROM · strategy=progressive", "QUANTIZED_FROM · int8-dynamic"]),
    );

    // The same edges, readable as a table with the full recipes.
    expect(await edgeRows("table.lineage-edges")).toEqual([
      [seeded.teacher, "DISTILLED_FROM", seeded.student, STUDENT_RECIPE],
      [seeded.teacher, "DISTILLED_FROM", seeded.student2, PROGRESSIVE_RECIPE],
      [seeded.student, "QUANTIZED_FROM", seeded.int8, INT8_RECIPE],
    ]);
  });

  it("shows every alias with its history oldest first and who moved it", async () => {
    expect(await page.locator("#alias-production").textContent()).toBe(`production → ${seeded.student2}`);
    const history = await rows('table.alias-history[data-alias="production"]');
    expect(history.map((row) => row.slice(1))).toEqual([
      ["admin", "(none)", "v1"],
      ["alice", "v1", "v2"],
    ]);
    expect(history[0]![0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect((await rows('table.alias-history[data-alias="staging"]')).map((row) => row.slice(1))).toEqual([["admin", "(none)", "v3"]]);
    // A deleted alias keeps its history, after the current ones.
    expect(await page.locator("#alias-canary").textContent()).toBe("canary (deleted)");
    expect((await rows('table.alias-history[data-alias="canary"]')).map((row) => row.slice(1))).toEqual([
      ["admin", "(none)", "v1"],
      ["admin", "v1", "(none)"],
    ]);
    expect(await page.locator("table.alias-history").evaluateAll((tables) => tables.map((table) => table.getAttribute("data-alias")))).toEqual([
      "production",
      "staging",
      "canary",
    ]);
  });

  it("lists the evaluations of every version with their protocol and run", async () => {
    const evaluations = await rows("table.evaluations");
    const own = seeded.evaluations.filter((evaluation) => evaluation.ref.startsWith("sd-student@"));
    expect(evaluations).toHaveLength(own.length);
    expect(evaluations.map((row) => [row[0], row[1]]).sort()).toEqual(own.map((evaluation) => [evaluation.ref, evaluation.fid.toFixed(2)]).sort());
    const int8Fast = evaluations.find((row) => row[0] === seeded.int8 && row[1] === "15.50")!;
    expect(int8Fast.slice(2, 6)).toEqual(["12.0", "16.0", "512.0", "10.0M"]);
    expect(int8Fast[6]).toMatch(/^[0-9a-f]{12} · 25 steps, 2000 samples$/);
    expect(int8Fast[7]).toBe("evaluations #1");
    expect(await page.locator("table.evaluations td a", { hasText: "evaluations #1" }).first().getAttribute("href")).toMatch(/^\/runs\/[^/]+$/);
  });

  it("offers the production pull command and copies it", async () => {
    const command = `npx distillery pull sd-student@production`;
    expect(await page.locator(".copy-command code").textContent()).toBe(command);
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("status").filter({ hasText: "Copied" }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(command);
    await session.screenshot("model-page");
  });

  it("shows a version's details, edges, pull commands and evaluations", async () => {
    await page.goto(`${web.url}/models/sd-student/versions/1`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(seeded.student);
    expect(await page.locator("dl.details").textContent()).toMatch(/Digestsha256:[0-9a-f]{64}/);
    expect(await edgeRows(captioned("Made from"))).toEqual([[seeded.teacher, "DISTILLED_FROM", seeded.student, STUDENT_RECIPE]]);
    expect(await edgeRows(captioned("Made from this version"))).toEqual([[seeded.student, "QUANTIZED_FROM", seeded.int8, INT8_RECIPE]]);
    expect(await page.locator(".copy-command code").allTextContents()).toEqual(["npx distillery pull sd-student@v1", "npx distillery pull sd-student@v1 --precision int8"]);
    expect((await rows("table.evaluations")).map((row) => row[0])).toEqual(["12.25"]);
  });

  it("promotes a version: the alias moves, the page lists it, the model's history has the move", async () => {
    await page.goto(`${web.url}/models/sd-student/versions/3`);
    expect(await page.locator("ul.aliases-here").textContent()).toBe("sd-student@staging");
    await page.getByLabel("Alias", { exact: true }).fill("production");
    await page.getByRole("button", { name: "Promote" }).click();
    await page.waitForURL((url) => url.searchParams.get("promoted") === "production");
    await page.getByText("sd-student@production now points at v3.").waitFor();
    expect(await page.locator("ul.aliases-here li").allTextContents()).toEqual(["sd-student@production", "sd-student@staging"]);
    expect(await page.locator(".copy-command code").allTextContents()).toContain("npx distillery pull sd-student@production");
    expect(await productionOf()).toBe(3);
    await session.screenshot("version-page");

    await page.goto(`${web.url}/models/sd-student`);
    expect(await page.locator("#alias-production").textContent()).toBe(`production → ${seeded.int8}`);
    expect((await rows('table.alias-history[data-alias="production"]')).map((row) => row.slice(1))).toEqual([
      ["admin", "(none)", "v1"],
      ["alice", "v1", "v2"],
      ["admin", "v2", "v3"],
    ]);
  });

  it("shows the API's reason when promoting is refused", async () => {
    await page.goto(`${web.url}/models/sd-student/versions/2`);
    await page.getByLabel("Alias", { exact: true }).fill("latest");
    await page.getByRole("button", { name: "Promote" }).click();
    const alert = page.locator("form.promote").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe('ALIAS_RESERVED: Alias "latest" is reserved: "latest" and v<digits> name versions');
    expect(await productionOf()).toBe(3);
  });

  it("answers an unknown model or version with a 404 page", async () => {
    for (const path of ["/models/no-such-model", "/models/sd-student/versions/99", "/models/sd-student/versions/abc"]) {
      const response = await page.goto(`${web.url}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
      expect(await page.locator(".app-header").count()).toBe(1);
    }
  });

  it("gives a READ-only token no promote form and no write buttons; the API refuses it too", async () => {
    const viewer = await mintToken(api.graphql, "viewer", ["READ"]);
    const readOnly = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const viewerPage = await readOnly.newPage();
      viewerPage.setDefaultTimeout(15_000);
      await signIn(viewerPage, web.url, viewer);
      for (const path of ["/models/sd-student/versions/1", "/models/sd-student", "/models"]) {
        await viewerPage.goto(`${web.url}${path}`);
        expect(await viewerPage.locator(".app-header").textContent()).toContain("READ");
        expect(await viewerPage.locator("form.promote").count(), path).toBe(0);
        const buttons = await viewerPage.getByRole("button").allTextContents();
        expect(buttons.filter((name) => !["Sign out", "Copy", "Apply"].includes(name.trim())), path).toEqual([]);
        if (path === "/models/sd-student/versions/1") await session.screenshot("version-page-read-only", viewerPage);
      }
    } finally {
      await readOnly.close();
    }

    const refused = await api.graphql(`mutation { setAlias(input: { model: "sd-student", alias: "production", version: 1 }) { name } }`, {}, viewer);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.extensions?.reason).toBe("FORBIDDEN");
    expect(await productionOf()).toBe(3);
  });
});
