import { existsSync } from "node:fs";
import { describe } from "vitest";
import { CHROMIUM } from "../../support/chromium";

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: CI needs Debian's chromium (apt-get install chromium)`);

/**
 * describe() when Debian's Chromium is there; otherwise a skipped suite whose name is the reason.
 * With CI=true a missing browser fails the run instead (above).
 */
export function browserSuite(name: string, body: () => void): void {
  if (haveChromium) describe(name, body);
  else describe.skip(`${name}: needs Debian's chromium (apt-get install chromium)`, body);
}
