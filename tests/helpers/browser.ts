/**
 * The headless Chromium the browser tests drive (playwright-core + Debian's chromium): the
 * launch flags, and a page that records its uncaught errors and Content-Security-Policy
 * violations so each test can assert there were none.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = process.env.KEIKO_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, no GPU, and none of Chromium's own background traffic. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Software WebGL (SwiftShader), for pages that draw with WebGL when asked; by default the app
 * picks pixi's canvas renderer when WebGL is software-rendered, as it is here.
 */
export const SWIFTSHADER_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export interface LaunchOptions {
  /** Add SWIFTSHADER_ARGS. */
  webgl?: boolean;
}

/** Launch Chromium (each launch gets a fresh temporary profile), or say how to install it. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...(options.webgl ? SWIFTSHADER_ARGS : [])] });
}

/** What a watched page reported; the arrays fill as the page runs. */
export interface PageReports {
  /** Messages of uncaught exceptions in the page. */
  pageErrors: string[];
  /** "<directive> <blocked URI>" of everything the server's Content-Security-Policy blocked. */
  cspViolations: string[];
}

/** Record the page's uncaught errors and CSP violations (from every document it loads from now on). */
export async function watchPage(page: Page): Promise<PageReports> {
  const reports: PageReports = { pageErrors: [], cspViolations: [] };
  page.on('pageerror', (err) => reports.pageErrors.push(err.message));
  await page.exposeFunction('reportCspViolation', (v: string) => reports.cspViolations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return reports;
}

/** A new page of `browser` (viewport, downloads... as given), watched by watchPage. */
export async function newWatchedPage(browser: Browser, options: BrowserContextOptions): Promise<{ page: Page } & PageReports> {
  const page = await browser.newPage(options);
  return { page, ...(await watchPage(page)) };
}

/** Wait until the page's script marks it ready (`<body data-ready="true">`). */
export async function waitReady(page: Page, timeoutMs = 20_000): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: timeoutMs });
}
