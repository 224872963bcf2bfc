import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiServer } from "../../apps/cli/test/support/api-server";
import { type BrowserSession, mintToken, openBrowser, signIn, TOKEN_COOKIE } from "../support/chromium";
import { startWeb, type WebProcess } from "../support/web-process";
import { browserSuite } from "./support/browser-suite";
import { startE2eApi } from "./support/e2e-api";
import { type RunnerProcess, startRunner } from "./support/runner-process";

/**
 * Launching from the web UI as a user does: the form generated from a kind's zod schema, checked
 * with the same schema on submit; the JSON view; a read-only token; the runners page with a real
 * runner holding a run launched from the form.
 */
browserSuite("web: the launch form, the JSON view and the runners page (real API and runner, next start, Chromium)", () => {
  let api: ApiServer;
  let web: WebProcess;
  let session: BrowserSession;
  let page: Page;
  let runner: RunnerProcess | undefined;
  let marker: string;
  let launchedRunId: string;

  const screenshot = (name: string, target?: Page) => session.screenshot(name, target);
  const context = () => `\n--- api ---\n${api.output()}\n--- web ---\n${web.output()}${runner ? `\n--- runner ---\n${runner.output()}` : ""}`;
  const experimentCount = async () => (await api.graphql(`{ experiments { totalCount } }`)).data.experiments.totalCount as number;
  // Scoped to the form: Next's route announcer is an alert too.
  const summary = () => page.locator("form.launch-form").getByRole("alert");
  const summaryText = async () => ((await summary().count()) > 0 ? await summary().innerText() : "");
  const launchButton = () => page.getByRole("button", { name: "Launch", exact: true });
  const runIdFromUrl = () => {
    const match = /^\/runs\/([^/]+)$/.exec(new URL(page.url()).pathname);
    if (!match) throw new Error(`not a run page: ${page.url()}`);
    return match[1]!;
  };
  const runQuery = `query Run($id: ID!) { run(id: $id) { id number requirements { device } job { maxAttempts } experiment { name kind tags spec } } }`;

  beforeAll(async () => {
    // Heartbeats every 5 s (a sixth of the lease): the runner's progress reaches the API quickly.
    api = await startE2eApi({ DISTILLERY_LEASE_SECONDS: "30" });
    marker = join(api.dataDir, "go-on");
    web = await startWeb(api.url);
    session = await openBrowser();
    page = session.page;
    await signIn(page, web.url, api.admin);
  }, 150_000);

  afterAll(async () => {
    if (marker) await writeFile(marker, "").catch(() => undefined);
    await session?.close();
    await runner?.stop();
    await web?.stop();
    await api?.stop();
  }, 60_000);

  it("says so on /runners while no runner is registered", async () => {
    await page.goto(`${web.url}/runners`);
    expect(await page.locator("main").innerText()).toContain("No runner is registered yet");
    expect(await page.locator("table.runners").count()).toBe(0);
  });

  it("refuses an empty argv and a bad variable name with the schema's messages, on the fields and in the summary, and creates nothing", async () => {
    await page.goto(`${web.url}/launch`);
    expect(await page.getByRole("navigation", { name: "Experiment kind" }).getByRole("link", { name: "COMMAND" }).getAttribute("aria-current")).toBe("page");
    // Generated from the COMMAND schema, its default filled in.
    expect(await page.getByLabel("Timeout seconds").inputValue()).toBe("3600");
    expect(await page.getByLabel("Max attempts").inputValue()).toBe("3");
    await screenshot("launch-command");

    const before = await experimentCount();
    await page.getByLabel("Name", { exact: true }).fill("web-hello");
    await page.getByLabel("Env", { exact: true }).fill("1BAD=x");
    await launchButton().click();
    await expect.poll(summaryText, { timeout: 30_000 }).toContain("problems to fix before launching");

    const text = await summaryText();
    expect(text).toContain("spec.argv: Too small: expected array to have >=1 items");
    expect(text).toContain("spec.env: 1BAD: environment variable names are letters, digits and _");
    for (const [label, message] of [
      ["Argv", "Too small: expected array to have >=1 items"],
      ["Env", "1BAD: environment variable names are letters, digits and _"],
    ] as const) {
      const input = page.getByLabel(label, { exact: true });
      expect(await input.getAttribute("aria-invalid")).toBe("true");
      const describedBy = (await input.getAttribute("aria-describedby"))!.split(" ");
      const errors = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).innerText()));
      expect(errors.join("\n")).toContain(message);
    }
    // What was typed is still there; nothing was created.
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("web-hello");
    expect(await page.getByLabel("Env", { exact: true }).inputValue()).toBe("1BAD=x");
    expect(await experimentCount()).toBe(before);
    await screenshot("launch-errors");
  });

  it("launches once they are fixed: the run page's URL, and the run holds the submitted argv, env and timeout", async () => {
    // Reports progress, then waits for the marker file: the runners test sees it running.
    const script = `const fs = require("fs"); console.log(JSON.stringify({ progress: 0.42 })); const poll = setInterval(() => { if (fs.existsSync(process.env.MARKER)) clearInterval(poll); }, 50);`;
    const argv = [process.execPath, "-e", script];
    await page.getByLabel("Argv", { exact: true }).fill(argv.join("\n"));
    await page.getByLabel("Env", { exact: true }).fill(`MARKER=${marker}\nGREETING=hello world`);
    await page.getByLabel("Timeout seconds").fill("600");
    await page.getByLabel("Tags").fill("web, e2e");
    await page.getByLabel("Device requirement").selectOption("CPU");
    await launchButton().click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/"), { timeout: 30_000 });
    launchedRunId = runIdFromUrl();

    const { data, errors } = await api.graphql(runQuery, { id: launchedRunId });
    expect(errors, context()).toBeUndefined();
    expect(data.run).toMatchObject({
      number: 1,
      requirements: { device: "CPU" },
      job: { maxAttempts: 3 },
      experiment: { name: "web-hello", kind: "COMMAND", tags: ["e2e", "web"], spec: { argv, env: { MARKER: marker, GREETING: "hello world" }, timeoutSeconds: 600 } },
    });
  });

  it("generates DISTILL's nested sections with the schema's defaults, and the dataset source as a select that swaps its fields", async () => {
    await page.goto(`${web.url}/launch`);
    await page.getByRole("navigation", { name: "Experiment kind" }).getByRole("link", { name: "DISTILL" }).click();
    await page.waitForURL((url) => url.searchParams.get("kind") === "DISTILL");

    const training = page.getByRole("group", { name: "Training", exact: true });
    expect(await training.getByLabel("Steps", { exact: true }).inputValue()).toBe("200");
    expect(await training.getByLabel("Batch size").inputValue()).toBe("32");
    expect(await training.getByLabel("Lr", { exact: true }).inputValue()).toBe("0.0002");
    expect(await page.locator('[name="spec.training.steps"]').count()).toBe(1);

    const dataset = page.getByRole("group", { name: "Dataset", exact: true });
    const source = dataset.getByLabel("Dataset: source");
    expect(await source.inputValue()).toBe("synthetic");
    expect(await source.locator("option").allTextContents()).toEqual(["synthetic", "fashion-mnist", "platform"]);
    expect(await dataset.getByLabel("Samples").inputValue()).toBe("512");
    await source.selectOption("fashion-mnist");
    expect(await dataset.getByLabel("Split").isVisible()).toBe(true);
    expect(await dataset.getByLabel("Split").inputValue()).toBe("train");
    expect(await dataset.getByLabel("Samples").isVisible()).toBe(false);

    // An optional section stays out until it is included.
    const student = page.getByRole("group", { name: "Student", exact: true });
    expect(await student.getByLabel("Remove layers").isVisible()).toBe(false);
    await student.getByLabel("Include derive").check();
    expect(await student.getByLabel("Remove layers").inputValue()).toBe("0");
    await screenshot("launch-distill");

    // Refused by the schema: the chosen variant and the included section are still as they were.
    await page.getByLabel("Name", { exact: true }).fill("web-distill");
    await dataset.getByLabel("Split").selectOption("test");
    await launchButton().click();
    await expect.poll(summaryText, { timeout: 30_000 }).toContain("spec.teacher: a ref: name, name@v<N> or name@<alias>");
    expect(await summaryText()).toContain("spec.strategy: needs at least one component");
    expect(await summaryText()).toContain("spec.output.model: a lower-case name");
    expect(await source.inputValue()).toBe("fashion-mnist");
    expect(await dataset.getByLabel("Split").inputValue()).toBe("test");
    expect(await dataset.getByLabel("Samples").isVisible()).toBe(false);
    expect(await student.getByLabel("Include derive").isChecked()).toBe(true);
    expect(await page.getByRole("group", { name: "Strategy", exact: true }).getByText("needs at least one component").count()).toBe(1);
  });

  it("renders every kind's form and JSON view", async () => {
    for (const kind of ["COMMAND", "PRETRAIN", "DISTILL", "EXTRACTOR", "QUANTIZE", "EVALUATE"]) {
      await page.goto(`${web.url}/launch?kind=${kind}`);
      expect(await page.getByRole("group", { name: `Spec (${kind})` }).count(), kind).toBe(1);
      expect(await launchButton().count()).toBe(1);
      await page.goto(`${web.url}/launch?kind=${kind}&view=json`);
      expect(JSON.parse(await page.getByLabel("Experiment document (JSON)").inputValue())).toMatchObject({ kind, spec: expect.any(Object) });
    }
    // QUANTIZE's methods: an enum array as ticked boxes, all of them by default.
    await page.goto(`${web.url}/launch?kind=QUANTIZE`);
    const methods = page.getByRole("group", { name: "Methods", exact: true });
    expect(await methods.getByRole("checkbox", { checked: true }).count()).toBe(3);
  });

  it("launches from the JSON view: a syntax error is shown, then the schema's issues by path and the API's refusal, then it launches", async () => {
    await page.goto(`${web.url}/launch?kind=COMMAND`);
    await page.getByRole("link", { name: "Edit as JSON" }).click();
    await page.waitForURL((url) => url.searchParams.get("view") === "json");
    const documentBox = page.getByLabel("Experiment document (JSON)");
    // The kind's defaults written out.
    expect(JSON.parse(await documentBox.inputValue())).toEqual({ name: "", kind: "COMMAND", tags: [], spec: { argv: [], env: {}, timeoutSeconds: 3600 } });
    await screenshot("launch-json");

    const before = await experimentCount();
    const broken = `{ "name": "web-json", "kind": "COMMAND", }`;
    await documentBox.fill(broken);
    await launchButton().click();
    await expect.poll(summaryText, { timeout: 30_000 }).toContain("JSON syntax error:");
    expect(await documentBox.inputValue()).toBe(broken);
    expect(await documentBox.getAttribute("aria-invalid")).toBe("true");

    const documentOf = (name: string, spec: Record<string, unknown>) => JSON.stringify({ name, kind: "COMMAND", tags: ["json"], spec }, null, 2);
    await documentBox.fill(documentOf("web-json", { argv: [], timeoutSeconds: -1 }));
    await launchButton().click();
    await expect.poll(summaryText, { timeout: 30_000 }).toContain("spec.argv: Too small: expected array to have >=1 items");
    expect(await summaryText()).toContain("spec.timeoutSeconds: Too small");

    // Valid, but the name is taken: the API's code and message.
    await documentBox.fill(documentOf("web-hello", { argv: ["true"] }));
    await launchButton().click();
    await expect.poll(summaryText, { timeout: 30_000 }).toContain('EXPERIMENT_EXISTS: An experiment named "web-hello" already exists');
    expect(await experimentCount()).toBe(before);

    await documentBox.fill(documentOf("web-json", { argv: ["true"], env: { FROM: "json" } }));
    await launchButton().click();
    await page.waitForURL((url) => url.pathname.startsWith("/runs/"), { timeout: 30_000 });
    const { data } = await api.graphql(runQuery, { id: runIdFromUrl() });
    expect(data.run).toMatchObject({
      requirements: { device: "ANY" },
      experiment: { name: "web-json", kind: "COMMAND", tags: ["json"], spec: { argv: ["true"], env: { FROM: "json" }, timeoutSeconds: 3600 } },
    });
    expect(await experimentCount()).toBe(before + 1);
  });

  it("shows a runner online with its CPU, and the run it holds as its current job with the progress it reported", async () => {
    runner = await startRunner(api);
    const row = page.locator(`table.runners tr[data-runner="${runner.name}"]`);
    const rowText = async () => {
      await page.goto(`${web.url}/runners`);
      return (await row.count()) > 0 ? await row.innerText() : "";
    };
    // Taken, started, and its progress heartbeated.
    await expect.poll(rowText, { timeout: 120_000, interval: 1000 }).toContain("web-hello #1");
    await expect.poll(rowText, { timeout: 60_000, interval: 1000 }).toContain("42%");

    expect(await row.locator(".badge").innerText()).toBe("online");
    expect(await row.locator(".device-kind").innerText()).toBe("CPU");
    expect(await row.innerText()).toContain("command");
    const link = row.getByRole("link", { name: "web-hello #1" });
    expect(await link.getAttribute("href")).toBe(`/runs/${launchedRunId}`);
    expect(await row.locator("time").getAttribute("datetime")).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await screenshot("runners");

    // The run ends once the marker is there, and the runner is idle again.
    await writeFile(marker, "");
    const status = async () => (await api.graphql(`query Status($id: ID!) { run(id: $id) { status } }`, { id: launchedRunId })).data.run.status;
    await expect.poll(status, { timeout: 90_000, interval: 500 }).toBe("SUCCEEDED");
  });

  it("shows a READ-only token that launching needs WRITE, with no form and no Launch button; the server action refuses it too", async () => {
    const token = await mintToken(api.graphql, "viewer", ["READ"]);
    const viewerContext = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const viewer = await viewerContext.newPage();
      // A form an admin opened, submitted once the cookie holds the read-only token.
      await signIn(viewer, web.url, api.admin);
      await viewer.goto(`${web.url}/launch?kind=COMMAND`);
      await viewer.getByLabel("Name", { exact: true }).fill("read-only-attempt");
      await viewer.getByLabel("Argv", { exact: true }).fill("true");
      await viewerContext.addCookies([{ name: TOKEN_COOKIE, value: token, url: web.url, httpOnly: true, sameSite: "Lax" }]);
      const before = await experimentCount();
      await viewer.getByRole("button", { name: "Launch", exact: true }).click();
      const refusal = viewer.locator("form.launch-form").getByRole("alert");
      await expect.poll(async () => ((await refusal.count()) > 0 ? await refusal.innerText() : ""), { timeout: 30_000 }).toContain("Launching needs the WRITE scope");
      expect(await experimentCount()).toBe(before);

      await viewer.goto(`${web.url}/launch?kind=DISTILL`);
      expect(await viewer.locator("main").innerText()).toContain("Launching needs the WRITE scope");
      expect(await viewer.locator("form.launch-form").count()).toBe(0);
      expect(await viewer.getByRole("button", { name: "Launch" }).count()).toBe(0);
      expect(await viewer.locator("textarea, main input, main select").count()).toBe(0);
      await screenshot("launch-read-only", viewer);
    } finally {
      await viewerContext.close();
    }
  });
});
