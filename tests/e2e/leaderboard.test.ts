import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiServer } from "../../apps/cli/test/support/api-server";
import { type BrowserSession, openBrowser, TOKEN_COOKIE } from "../support/chromium";
import { startWeb, type WebProcess } from "../support/web-process";
import { browserSuite } from "./support/browser-suite";
import { startE2eApi } from "./support/e2e-api";
import { SWEEP_VERSIONS, seedLeaderboard, type SeededVersion } from "./support/seed-leaderboard";

/**
 * The web app as a user meets it: the real API (PGlite) and `next start` as processes, Debian's
 * Chromium driven by playwright-core. One browser context walks through the tests in order.
 */
browserSuite("web: sign-in and the leaderboard (real API, next start, Chromium)", () => {
  let api: ApiServer;
  let web: WebProcess;
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let seeded: SeededVersion[];
  let sweep: string[];

  const byFid = () => [...seeded].sort((a, b) => a.fid - b.fid).map((version) => version.ref);
  const byLatency = () => [...seeded].sort((a, b) => a.latencyP50Ms - b.latencyP50Ms).map((version) => version.ref);
  const firstColumn = () => page.locator("table.leaderboard tbody tr td:first-child").allTextContents();
  const screenshot = (name: string) => session.screenshot(name);
  const tokenCookie = async () => (await context.cookies()).find((cookie) => cookie.name === TOKEN_COOKIE);

  beforeAll(async () => {
    api = await startE2eApi();
    ({ seeded, sweep } = await seedLeaderboard(api));
    web = await startWeb(api.url);
    session = await openBrowser();
    ({ context, page } = session);
  }, 150_000);

  afterAll(async () => {
    await session?.close();
    await web?.stop();
    await api?.stop();
  });

  it("sends a visitor without a token from /leaderboard to /sign-in", async () => {
    await page.goto(`${web.url}/leaderboard`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await expect(page.getByLabel("API token").isVisible()).resolves.toBe(true);
    await screenshot("sign-in");
  });

  it("shows the API's reason for a refused token and sets no cookie", async () => {
    await page.getByLabel("API token").fill("dst_not-a-real-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Scoped to the form: Next's route announcer is an alert too.
    const alert = page.locator("form.sign-in").getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe("TOKEN_INVALID: The token is not known");
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(await tokenCookie()).toBeUndefined();
    await screenshot("sign-in-refused");
  });

  it("signs in with the admin token and lands on the leaderboard, ranked by FID", async () => {
    await page.getByLabel("API token").fill(api.admin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/leaderboard");
    const cookie = await tokenCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", value: api.admin });
    expect(await page.locator(".app-header").textContent()).toContain("ADMIN");
    expect(await firstColumn()).toEqual(byFid());
    expect(await page.getByTestId("total-count").textContent()).toBe(String(seeded.length));
    expect(await page.locator("th[aria-sort]").textContent()).toMatch(/^FID/);
    expect(await page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("ascending");
    expect(await page.getByRole("navigation", { name: "Sections" }).locator('[aria-current="page"]').textContent()).toBe("Leaderboard");
    await screenshot("leaderboard");
  });

  it("draws one point per row, the dominated ones greyed, and the Pareto front as a line", async () => {
    expect(await page.locator(".scatter circle.point").count()).toBe(seeded.length);
    expect(await page.locator(".scatter circle.point.dominated").count()).toBe(seeded.filter((version) => version.dominated).length);
    const titles = await page.locator(".scatter circle.point title").allTextContents();
    expect(titles.map((title) => title.split(":")[0]).sort()).toEqual(byFid().sort());
    expect(await page.locator(".scatter path.front").count()).toBe(1);
    expect(await page.locator(".scatter svg").textContent()).toContain("Latency p50 (ms)");
  });

  it("re-sorts by latency from the column header, and back descending", async () => {
    await page.getByRole("link", { name: /^Latency p50/ }).click();
    await page.waitForURL((url) => url.searchParams.get("orderBy") === "LATENCY_P50");
    expect(await firstColumn()).toEqual(byLatency());
    const sorted = page.locator("th[aria-sort]");
    expect(await sorted.textContent()).toMatch(/^Latency p50/);
    expect(await sorted.getAttribute("aria-sort")).toBe("ascending");
    await screenshot("leaderboard-latency");

    // Keyboard: the header is a plain link, Enter follows it.
    await page.getByRole("link", { name: /^Latency p50/ }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("desc") === "1");
    expect(await firstColumn()).toEqual(byLatency().reverse());
    expect(await page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("descending");
  });

  it("keeps to the Pareto front when asked", async () => {
    await page.getByLabel("Pareto front only").check();
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("pareto") === "1");
    const front = seeded.filter((version) => !version.dominated);
    expect((await firstColumn()).sort()).toEqual(front.map((version) => version.ref).sort());
    expect(await page.locator(".scatter circle.point.dominated").count()).toBe(0);
    expect(await page.getByTestId("total-count").textContent()).toBe(String(front.length));
    await screenshot("leaderboard-pareto");
  });

  it("filters by role and precision, comparing only the rows that pass", async () => {
    await page.getByLabel("Pareto front only").uncheck();
    await page.getByLabel("Role").selectOption("STUDENT");
    await page.getByLabel("Precision").selectOption("INT8");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("precision") === "INT8" && url.searchParams.get("role") === "STUDENT");
    // Still ranked by latency, slowest first (the order chosen before is kept).
    expect(await firstColumn()).toEqual(["student-slow@v1", "student-tiny@v1"]);
    expect(await page.getByTestId("total-count").textContent()).toBe("2");
    // Neither INT8 student is worse than the other on all three measures: no greyed row.
    expect(await page.locator("table.leaderboard tr.dominated").count()).toBe(0);
    await screenshot("leaderboard-filtered");
  });

  it("switches to another protocol and pages through it with the next-page link", async () => {
    await page.getByLabel("Role").selectOption("");
    await page.getByLabel("Precision").selectOption("");
    const sweepProtocol = await page.locator("#protocol option", { hasText: "ddim 4 steps" }).getAttribute("value");
    await page.getByLabel("Protocol").selectOption(sweepProtocol!);
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL((url) => url.searchParams.get("protocol") === sweepProtocol);
    expect(await page.getByTestId("total-count").textContent()).toBe(String(SWEEP_VERSIONS));
    const first = await firstColumn();
    expect(first).toHaveLength(100);

    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL((url) => url.searchParams.has("after"));
    const second = await firstColumn();
    expect(second).toHaveLength(SWEEP_VERSIONS - 100);
    // Together, every version once, in order: slowest first is the order they were seeded in.
    expect([...first, ...second]).toEqual(sweep);
    expect(await page.getByRole("link", { name: "Next page" }).count()).toBe(0);
    await screenshot("leaderboard-second-page");
  });

  it("signs out back to /sign-in and keeps the leaderboard closed", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/sign-in");
    expect(await tokenCookie()).toBeUndefined();
    await page.goto(`${web.url}/leaderboard`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    await screenshot("signed-out");
  });

  it("sends a visitor whose cookie the API refuses to /sign-in, says why and forgets the cookie", async () => {
    await context.addCookies([{ name: TOKEN_COOKIE, value: "dst_revoked-or-forged", url: web.url }]);
    await page.goto(`${web.url}/leaderboard`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(await page.getByRole("status").textContent()).toContain("TOKEN_INVALID");
    expect(await tokenCookie()).toBeUndefined();
  });
});
