// Opens a zerogap HTML report in headless Chromium and checks that it works offline:
// no console errors, no page errors, no request other than file: and data:, a drawn
// trend chart, a working findings filter. Takes a full-page screenshot.
//
//   node tests/browser/check_html.mjs REPORT.html SCREENSHOT.png
//
// Chromium: $CHROMIUM, else /usr/bin/chromium. Prints one line of JSON (the verdict)
// and exits 1 on any problem, 2 on bad usage. The report must have at least one finding
// (the filter is exercised on it) and at least two trend points.

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [reportArg, screenshotArg] = process.argv.slice(2);
if (!reportArg || !screenshotArg) {
  console.error("usage: node tests/browser/check_html.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
const reportPath = resolve(reportArg);
const screenshotPath = resolve(screenshotArg);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const problems = [];
const verdict = { ok: false, report: reportPath, screenshot: screenshotPath };
const consoleErrors = [];
const pageErrors = [];
// A Set: the request event and the route both see each request.
const foreignRequests = new Set();

// The rows of one severity or kind, and whether each is visible now.
async function rowVisibility(page, attr, value) {
  return page.$$eval(
    "#findings tbody tr",
    (rows, [attr, value]) =>
      rows.filter((r) => r.getAttribute(attr) === value).map((r) => r.checkVisibility()),
    [attr, value],
  );
}

async function counterText(page) {
  return ((await page.textContent("#shown")) || "").trim();
}

// Unticks one filter box, checks that its rows are hidden and the counter moved, ticks it
// again and checks that everything is back.
async function exerciseFilter(page, filter, attr, value, total) {
  // Compared in JS rather than in a CSS selector: a kind is report text, unquoted here.
  let handle = null;
  for (const b of await page.$$(`#filters input[data-filter="${filter}"]`)) {
    if ((await b.getAttribute("value")) === value) handle = b;
  }
  if (!handle) {
    problems.push(`no ${filter} checkbox for ${JSON.stringify(value)}`);
    return null;
  }
  const before = await counterText(page);
  await handle.uncheck();
  const after = await counterText(page);
  const hidden = await rowVisibility(page, attr, value);
  const visibleNow = (await page.$$eval("#findings tbody tr", (rows) => rows.filter((r) => r.checkVisibility()).length));
  if (hidden.length === 0) problems.push(`no rows with ${attr}=${JSON.stringify(value)}`);
  if (hidden.some((v) => v)) problems.push(`unticking ${filter} ${value} left some of its rows visible`);
  if (after === before) problems.push(`unticking ${filter} ${value} did not change the counter (${before})`);
  if (after !== `showing ${visibleNow} of ${total}`) {
    problems.push(`counter says "${after}" but ${visibleNow} of ${total} rows are visible`);
  }
  await handle.check();
  const restored = await counterText(page);
  if (restored !== `showing ${total} of ${total}`) {
    problems.push(`ticking ${filter} ${value} again left the counter at "${restored}"`);
  }
  return { filter, value, before, after, hidden_rows: hidden.length, restored };
}

async function main() {
  let browser;
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: 60_000,
      // playwright adds a fresh temporary --user-data-dir of its own.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  } catch (e) {
    problems.push(`cannot launch ${executablePath}: ${e.message.split("\n")[0]}`);
    return;
  }
  try {
    verdict.browser = browser.version();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // A dialog means script from the report ran: escaping failed.
    page.on("dialog", async (d) => {
      problems.push(`a ${d.type()} dialog opened: ${d.message()}`);
      await d.dismiss();
    });
    // Record, and stop, anything that would leave the file.
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      foreignRequests.add(url);
      return route.abort();
    });
    page.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith("file:") && !url.startsWith("data:")) foreignRequests.add(url);
    });

    await page.goto(pathToFileURL(reportPath).href, { waitUntil: "load" });

    // The trend chart: drawn, with room on the page, with at least two runs.
    const svg = page.locator("svg#trend");
    if ((await svg.count()) !== 1 || !(await svg.isVisible())) {
      problems.push("svg#trend is missing or not visible");
    } else {
      const box = await svg.boundingBox();
      verdict.trend_box = box && { width: Math.round(box.width), height: Math.round(box.height) };
      if (!box || box.width <= 0 || box.height <= 0) problems.push("svg#trend has an empty bounding box");
      const points = await page.locator('svg#trend circle[data-series="errors"]').count();
      const declared = Number(await svg.getAttribute("data-points"));
      verdict.trend_points = points;
      if (points < 2) problems.push(`svg#trend has ${points} data point(s), expected at least 2`);
      if (points !== declared) problems.push(`svg#trend draws ${points} points but says data-points=${declared}`);
    }

    // The findings filter: by severity, then by kind.
    const total = await page.locator("#findings tbody tr").count();
    verdict.findings_rows = total;
    if (total === 0) {
      problems.push("no findings rows: cannot exercise the filters");
    } else {
      const initial = await counterText(page);
      if (initial !== `showing ${total} of ${total}`) problems.push(`initial counter is "${initial}"`);
      const severities = await page.$$eval("#findings tbody tr", (rows) => rows.map((r) => r.dataset.severity));
      const severity = ["error", "warning", "info"].find((s) => severities.includes(s));
      const kind = await page.getAttribute("#findings tbody tr", "data-kind");
      verdict.filters = [
        await exerciseFilter(page, "severity", "data-severity", severity, total),
        await exerciseFilter(page, "kind", "data-kind", kind, total),
      ];
    }

    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
  } catch (e) {
    problems.push(`check failed: ${e.message.split("\n")[0]}`);
  } finally {
    await browser.close().catch(() => {});
  }
}

await main();
if (consoleErrors.length) problems.push(`${consoleErrors.length} console error(s)`);
if (pageErrors.length) problems.push(`${pageErrors.length} page error(s)`);
if (foreignRequests.size) problems.push(`${foreignRequests.size} request(s) beyond file: and data:`);
verdict.console_errors = consoleErrors;
verdict.page_errors = pageErrors;
verdict.foreign_requests = [...foreignRequests];
verdict.problems = problems;
verdict.ok = problems.length === 0;
console.log(JSON.stringify(verdict));
process.exit(verdict.ok ? 0 : 1);
