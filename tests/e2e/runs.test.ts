import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiServer } from "../../apps/cli/test/support/api-server";
import { type BrowserSession, mintToken, openBrowser, signIn } from "../support/chromium";
import { startWeb, type WebProcess } from "../support/web-process";
import { browserSuite } from "./support/browser-suite";
import { startE2eApi } from "./support/e2e-api";
import { type RunnerProcess, startRunner } from "./support/runner-process";

interface LaunchedRun {
  id: string;
  number: number;
}

/**
 * Experiments and runs as a user follows them: the real API (PGlite), a real runner doing COMMAND
 * jobs, `next start`, Chromium. The commands print metric lines and log lines, then wait for a
 * marker file, so the test decides when a curve grows while the page is open.
 */
browserSuite("web: experiments, runs, the live run page and compare (real API and runner, next start, Chromium)", () => {
  let api: ApiServer;
  let runner: RunnerProcess;
  let web: WebProcess;
  let session: BrowserSession;
  let page: Page;
  let scratch: string;
  let curvesExperiment: string;
  let curvesRun: LaunchedRun;
  const curvesMarker = () => join(scratch, "second-phase");

  const screenshot = (name: string) => session.screenshot(name);
  const context = () => `\n--- api ---\n${api.output()}\n--- runner ---\n${runner?.output()}\n--- web ---\n${web?.output()}`;
  const nodeScript = (script: string) => [process.execPath, "-e", script];

  async function graphql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await api.graphql(query, variables);
    if (!answer.data || answer.errors) throw new Error(`${query}: ${JSON.stringify(answer.errors)}`);
    return answer.data as T;
  }

  async function createExperiment(name: string, script: string, tags: string[] = []): Promise<string> {
    const data = await graphql(`mutation Create($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }`, {
      input: { name, kind: "COMMAND", tags, spec: { argv: nodeScript(script), timeoutSeconds: 300 } },
    });
    return data.createExperiment.id;
  }

  async function launch(experiment: string): Promise<LaunchedRun> {
    const data = await graphql(`mutation Launch($id: ID!) { launchExperiment(input: { experiment: $id }) { id number } }`, { id: experiment });
    return data.launchExperiment;
  }

  const runStatus = async (id: string): Promise<string> => (await graphql(`query Status($id: ID!) { run(id: $id) { status } }`, { id })).run.status;

  /** Points of one series of one chart, as the page draws them; null while it draws none. */
  const drawnPoints = (group: string, series: string) => page.locator(`figure.chart[data-group="${group}"] svg [data-series="${series}"]`).getAttribute("data-points", { timeout: 1_000 }).catch(() => null);
  const statusText = () => page.getByTestId("run-status").locator(".status").textContent();
  const logText = () => page.getByTestId("run-log").textContent();

  /**
   * Five points of loss/total, loss/kd and lr, a progress report and a log line; five more points
   * and another line once the marker exists. Each run of it scales its losses by 1 + 0.4 × the
   * runs before it, so compared runs draw different curves.
   */
  const curvesScript = () => `const fs = require("fs");
const counter = ${JSON.stringify(join(scratch, "curves-count"))};
const runs = fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) : 0;
fs.writeFileSync(counter, String(runs + 1));
const scale = 1 + 0.4 * runs;
const point = (metric, step, value) => console.log(JSON.stringify({ metric, step, value }));
const phase = (from, to) => { for (let step = from; step <= to; step++) { point("loss/total", step, (2 * scale) / step); point("loss/kd", step, scale / step); point("lr", step, 0.001 * (1 - step / 20)); } };
phase(1, 5);
console.log(JSON.stringify({ progress: 0.5 }));
console.log("first phase done");
const poll = setInterval(() => { if (fs.existsSync(${JSON.stringify(curvesMarker())})) { clearInterval(poll); phase(6, 10); console.log(JSON.stringify({ progress: 1 })); console.log("second phase done"); } }, 50);`;

  beforeAll(async () => {
    // Heartbeats every 5 s (a sixth of the lease): a cancel reaches the runner within that.
    api = await startE2eApi({ DISTILLERY_LEASE_SECONDS: "30" });
    scratch = join(api.dataDir, "scratch");
    await mkdir(scratch);
    runner = await startRunner(api);
    web = await startWeb(api.url);
    session = await openBrowser();
    page = session.page;
    await signIn(page, web.url, api.admin);
    curvesExperiment = await createExperiment("live-curves", curvesScript(), ["e2e", "curves"]);
    curvesRun = await launch(curvesExperiment);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await web?.stop();
    await runner?.stop();
    await api?.stop();
  }, 60_000);

  it("lists the experiment with its kind, tags and runs, filters the list, and shows the validated spec", async () => {
    await page.goto(`${web.url}/experiments`);
    const row = page.locator("table.experiments tbody tr", { has: page.getByRole("link", { name: "live-curves" }) });
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells[1]).toBe("COMMAND");
    expect(cells[2]).toContain("e2e");
    expect(cells[2]).toContain("curves");
    expect(cells[3]).toBe((await graphql(`{ me { owner } }`)).me.owner);
    expect(cells[5]).toBe("1");

    // The filters are a GET form: a kind without experiments empties the list.
    await page.getByLabel("Kind").selectOption("DISTILL");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("kind") === "DISTILL");
    await page.getByText("No experiments match.").waitFor();
    await page.getByLabel("Kind").selectOption("COMMAND");
    await page.getByLabel("Name contains").fill("curves");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("name") === "curves" && url.searchParams.get("kind") === "COMMAND");
    expect(await page.locator("table.experiments tbody tr").count()).toBe(1);
    await screenshot("experiments");

    await page.getByRole("link", { name: "live-curves" }).click();
    await page.waitForURL((url) => url.pathname === `/experiments/${curvesExperiment}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("live-curves");
    const spec = JSON.parse((await page.getByTestId("spec").textContent()) ?? "{}");
    // As validated: the defaults the kind fills in are there.
    expect(spec).toMatchObject({ argv: nodeScript(curvesScript()), timeoutSeconds: 300, env: {} });
    await page.getByRole("link", { name: "live-curves #1" }).waitFor();
    await page.getByRole("button", { name: "Launch again" }).waitFor();
    await screenshot("experiment");
  });

  it("lists the running run with its status in words and a labelled progress bar", async () => {
    // The runner reports progress with its heartbeats: reload until the list shows it.
    await expect
      .poll(
        async () => {
          await page.goto(`${web.url}/runs`);
          const row = page.locator(`tr[data-run-id="${curvesRun.id}"]`);
          const status = await row.locator(".status").textContent();
          const progress = await row.getByRole("progressbar", { name: "Progress of live-curves #1" }).getAttribute("value", { timeout: 1_000 }).catch(() => null);
          return `${status} ${progress}`;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe("RUNNING 0.5");
    const cells = await page.locator(`tr[data-run-id="${curvesRun.id}"] td`).allTextContents();
    expect(cells).toContain("1 / 3");
    expect(cells.some((cell) => cell.startsWith(runner.name))).toBe(true);
    await screenshot("runs");
  });

  it("follows a running run: more points and log lines appear on the open page, then its end", async () => {
    await page.goto(`${web.url}/runs/${curvesRun.id}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("live-curves #1");
    await expect.poll(() => drawnPoints("loss", "loss/total"), { timeout: 60_000 }).toBe("5");
    expect(await drawnPoints("loss", "loss/kd")).toBe("5");
    expect(await drawnPoints("lr", "lr")).toBe("5");
    await expect.poll(logText, { timeout: 60_000 }).toContain("first phase done");
    expect(await statusText()).toBe("RUNNING");
    // One chart per group, with axis labels and a legend naming each key.
    expect(await page.locator("figure.chart").evaluateAll((figures) => figures.map((figure) => figure.getAttribute("data-group")))).toEqual(["loss", "lr"]);
    const loss = page.locator('figure.chart[data-group="loss"]');
    expect(await loss.locator("svg text.axis-label").allTextContents()).toEqual(["step", "loss"]);
    expect(await loss.locator(".legend .legend-label").allTextContents()).toEqual(["loss/kd", "loss/total"]);
    expect(await page.getByRole("button", { name: "Cancel run" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
    await screenshot("run-live");

    // The page is not reloaded from here on: a mark on its window must survive.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await writeFile(curvesMarker(), "");
    await expect.poll(() => drawnPoints("loss", "loss/total"), { timeout: 60_000 }).toBe("10");
    await expect.poll(logText, { timeout: 60_000 }).toContain("second phase done");
    await expect.poll(statusText, { timeout: 60_000 }).toBe("SUCCEEDED");
    expect(await drawnPoints("loss", "loss/kd")).toBe("10");
    expect(await drawnPoints("lr", "lr")).toBe("10");
    // The buttons follow the status (the server parts of the page refresh in place).
    await page.getByRole("button", { name: "Retry" }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await logText()).toBe("first phase done\nsecond phase done\n");
  });

  it("cancels a running run from its page; Retry then opens a new run", async () => {
    const forever = await createExperiment("forever", `console.log(JSON.stringify({ metric: "loss/total", step: 1, value: 1 })); console.log("started"); setInterval(() => {}, 1000);`);
    const run = await launch(forever);
    await page.goto(`${web.url}/runs/${run.id}`);
    await expect.poll(logText, { timeout: 90_000 }).toContain("started");
    expect(await statusText()).toBe("RUNNING");

    await page.getByRole("button", { name: "Cancel run" }).click();
    // The runner hears of it at its next heartbeat and stops the command.
    await expect.poll(statusText, { timeout: 60_000 }).toBe("CANCELLED");
    await page.getByRole("button", { name: "Retry" }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole("button", { name: "Cancel run" }).count(), { timeout: 30_000 }).toBe(0);
    expect(await runStatus(run.id), context()).toBe("CANCELLED");
    await screenshot("run-cancelled");

    await page.getByRole("button", { name: "Retry" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/") && url.pathname !== `/runs/${run.id}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("forever #2");
    const retried = new URL(page.url()).pathname.split("/")[2]!;
    expect(await page.getByRole("link", { name: "forever #1" }).getAttribute("href")).toBe(`/runs/${run.id}`);
    // The runner takes one job at a time: free it for the next test.
    await graphql(`mutation Cancel($id: ID!) { cancelRun(id: $id) { id } }`, { id: retried });
    await expect.poll(() => runStatus(retried), { timeout: 60_000 }).toBe("CANCELLED");
  });

  it("compares two finished runs: both runs' lines on the same charts, a legend naming both, their final values side by side", async () => {
    await page.goto(`${web.url}/experiments/${curvesExperiment}`);
    await page.getByRole("button", { name: "Launch again" }).click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/"));
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("live-curves #2");
    const second = new URL(page.url()).pathname.split("/")[2]!;
    // The marker is there already: the second run goes straight through both phases.
    await expect.poll(statusText, { timeout: 90_000 }).toBe("SUCCEEDED");

    await page.goto(`${web.url}/runs?experiment=${curvesExperiment}`);
    await page.getByLabel("Select live-curves #1").check();
    await page.getByLabel("Select live-curves #2").check();
    await page.getByRole("button", { name: "Compare selected" }).click();
    await page.waitForURL((url) => url.pathname === "/compare");
    expect(new URL(page.url()).searchParams.getAll("run").sort()).toEqual([curvesRun.id, second].sort());

    const loss = page.locator('figure.chart[data-group="loss"]');
    expect(await loss.locator("svg path.series").count()).toBe(4);
    expect(await loss.locator(".legend .legend-label").allTextContents()).toEqual([
      "live-curves #1 · loss/kd",
      "live-curves #1 · loss/total",
      "live-curves #2 · loss/kd",
      "live-curves #2 · loss/total",
    ]);
    expect(await page.locator('figure.chart[data-group="lr"] svg path.series').count()).toBe(2);
    const headers = await page.locator("table.compare thead th").allTextContents();
    expect(headers.slice(1)).toEqual(["live-curves #1", "live-curves #2"]);
    const finalTotal = await page.locator("table.compare tbody tr", { has: page.locator("th", { hasText: /^loss\/total$/ }) }).locator("td").allTextContents();
    // 2 × scale / 10: scale 1 for the first run, 1.4 for the second; the oldest run comes first.
    expect(finalTotal).toEqual(["0.2", "0.28"]);
    await screenshot("compare");

    await page.goto(`${web.url}/compare?run=${curvesRun.id}`);
    expect(await page.getByTestId("compare-too-few").textContent()).toContain("two runs or more");
  });

  it("shows a read-only token no write buttons", async () => {
    const reader = await mintToken(api.graphql, "e2e-reader", ["READ"]);
    const readOnly = await session.browser.newContext();
    try {
      const readerPage = await readOnly.newPage();
      await signIn(readerPage, web.url, reader);
      await readerPage.goto(`${web.url}/runs/${curvesRun.id}`);
      await readerPage.getByTestId("run-status").waitFor();
      expect(await readerPage.getByTestId("run-status").locator(".status").textContent()).toBe("SUCCEEDED");
      expect(await readerPage.getByRole("button", { name: "Retry" }).count()).toBe(0);
      await readerPage.goto(`${web.url}/experiments/${curvesExperiment}`);
      await readerPage.getByTestId("spec").waitFor();
      expect(await readerPage.getByRole("button", { name: "Launch again" }).count()).toBe(0);
    } finally {
      await readOnly.close();
    }
  }, 60_000);
});
