import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type Frame, type Page } from "puppeteer-core";
import { ROOT } from "../package/paths.js";

/**
 * Headless Chromium for the view's tests: the one @sparticuz/chromium ships inside its npm
 * package (so `npm ci` is all a Linux machine needs), or CHROMIUM_PATH, or a system Chromium.
 */
export async function launchBrowser(): Promise<{ browser: Browser; launchMs: number }> {
  const started = performance.now();
  const systemChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));
  const executablePath = process.env.CHROMIUM_PATH ?? (process.platform === "linux" ? await chromium.executablePath() : systemChromium);
  if (!executablePath) throw new Error("No Chromium: set CHROMIUM_PATH to a Chromium or Chrome executable.");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: executablePath === process.env.CHROMIUM_PATH || executablePath === systemChromium ? ["--no-sandbox"] : chromium.args,
  });
  return { browser, launchMs: Math.round(performance.now() - started) };
}

export const HOST_PAGE = pathToFileURL(join(ROOT, "test", "app", "host.html")).href;
export const SCREENSHOTS = join(ROOT, ".vitest-tmp", "screenshots");

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // The view's frame only, its first screen: what a host shows of it (a full tall frame is slow to capture).
  const box = await (await page.$("#view"))?.boundingBox();
  const viewport = page.viewport();
  await page.screenshot(box && viewport ? { path, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, viewport.height) } } : { path });
  return path;
}

/** The view's frame inside the test host page. */
export async function viewFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector("#view");
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error("the host page has no view frame");
  return frame;
}
