import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO_ROOT } from "./repo-root";

export const CHROMIUM = "/usr/bin/chromium";
/** Where the end-to-end tests leave their screenshots for review (git-ignored). */
export const SCREENSHOTS = resolve(REPO_ROOT, "tests", "e2e", "screenshots");
export const TOKEN_COOKIE = "distillery_token";

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** A full-page screenshot in tests/e2e/screenshots/<name>.png, for review. */
  screenshot(name: string, target?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Headless Debian Chromium with a fresh temporary profile, one context and one page. */
export async function openBrowser(): Promise<BrowserSession> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return {
    browser,
    context,
    page,
    async screenshot(name, target = page) {
      await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

/** Signs in through the form, as a user does, and waits to land on the page it redirects to. */
export async function signIn(page: Page, webUrl: string, token: string): Promise<void> {
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/sign-in");
}

/** A token with exactly these scopes, minted with the admin token. */
export async function mintToken(graphql: (query: string, variables?: Record<string, unknown>) => Promise<{ data?: any; errors?: unknown }>, name: string, scopes: string[]): Promise<string> {
  const answer = await graphql(`mutation Mint($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name, scopes } });
  if (!answer.data) throw new Error(`createApiToken failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.createApiToken.token;
}
