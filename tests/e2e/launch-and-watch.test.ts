import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiServer } from "../../apps/cli/test/support/api-server";
import { type BrowserSession, openBrowser, signIn } from "../support/chromium";
import { startWeb, type WebProcess } from "../support/web-process";
import { browserSuite } from "./support/browser-suite";
import { startE2eApi } from "./support/e2e-api";
import { type RunnerProcess, startRunner } from "./support/runner-process";

/**
 * The whole loop a user goes through, in one page: launch a `command` experiment from the form,
 * land on its run page, watch its loss curve grow while it runs (no reload), then cancel it.
 */
browserSuite("web: launch from the form, watch the curve grow live, cancel (real API and runner, next start, Chromium)", () => {
  let api: ApiServer;
  let web: WebProcess;
  let runner: RunnerProcess;
  let session: BrowserSession;
  let page: Page;
  let marker: string;

  const context = () => `\n--- api ---\n${api.output()}\n--- runner ---\n${runner.output()}\n--- web ---\n${web.output()}`;
  const lossPoints = async () =>
    Number((await page.locator('figure.chart[data-group="loss"] svg [data-series="loss"]').getAttribute("data-points", { timeout: 1_000 }).catch(() => null)) ?? 0);
  const status = () => page.getByTestId("run-status").locator(".status").textContent();

  beforeAll(async () => {
    // Heartbeats every 5 s (a sixth of the lease): the cancel reaches the runner within that.
    api = await startE2eApi({ DISTILLERY_LEASE_SECONDS: "30" });
    marker = join(api.dataDir, "second-phase");
    runner = await startRunner(api);
    web = await startWeb(api.url);
    session = await openBrowser();
    page = session.page;
    await signIn(page, web.url, api.admin);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await runner?.stop();
    await web?.stop();
    await api?.stop();
  }, 60_000);

  it("launches from the form, draws the first points, grows the same chart as the run logs more, and cancels it", async () => {
    // Three points, then (once the marker exists) three more, then it runs until cancelled.
    const script = [
      `const fs = require("fs");`,
      `const point = (step) => console.log(JSON.stringify({ metric: "loss", step, value: 1 / step }));`,
      `[1, 2, 3].forEach(point); console.log("first phase");`,
      `const poll = setInterval(() => { if (!fs.existsSync(process.env.MARKER)) return; clearInterval(poll); [4, 5, 6].forEach(point); console.log("second phase"); setInterval(() => {}, 1000); }, 50);`,
    ].join(" ");
    await page.goto(`${web.url}/launch`);
    await page.getByLabel("Name", { exact: true }).fill("watch-me");
    await page.getByLabel("Argv", { exact: true }).fill([process.execPath, "-e", script].join("\n"));
    await page.getByLabel("Env", { exact: true }).fill(`MARKER=${marker}`);
    await page.getByRole("button", { name: "Launch", exact: true }).click();
    await page.waitForURL((url) => /^\/runs\/[^/]+$/.test(url.pathname), { timeout: 30_000 });
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("watch-me #1");

    await expect.poll(lossPoints, { timeout: 60_000, message: context() }).toBe(3);
    await expect.poll(status, { timeout: 30_000 }).toBe("RUNNING");
    await expect.poll(() => page.getByRole("log").textContent(), { timeout: 30_000 }).toContain("first phase");
    // A flag on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await session.screenshot("watch-first-phase");

    await writeFile(marker, "");
    await expect.poll(lossPoints, { timeout: 60_000, message: context() }).toBe(6);
    await expect.poll(() => page.getByRole("log").textContent(), { timeout: 30_000 }).toContain("second phase");
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    await session.screenshot("watch-second-phase");

    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect.poll(status, { timeout: 60_000, message: context() }).toBe("CANCELLED");
    await page.getByRole("button", { name: "Retry" }).waitFor({ timeout: 30_000 });
    const runId = new URL(page.url()).pathname.split("/")[2];
    const { data } = await api.graphql(`query($id: ID!) { run(id: $id) { status metrics(keys: ["loss"]) { totalPoints } } }`, { id: runId });
    expect(data.run).toEqual({ status: "CANCELLED", metrics: [{ totalPoints: 6 }] });
    await session.screenshot("watch-cancelled");
  });
});
