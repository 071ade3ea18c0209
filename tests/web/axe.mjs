// axe-core on pages of the web edition, in headless Chromium driven by playwright-core.
//   node tests/web/axe.mjs BASE_URL PAGE...      e.g. http://127.0.0.1:8000 index.html de/index.html
// Prints one JSON object on stdout: {"<page>": [{"id", "impact", "help", "nodes": [target...]}...]}
// (an empty list: no violation), and exits 0 once every page was checked; any failure to load or
// run a page is an error (exit 1), never an empty result. The browser is Debian's chromium
// (CHROMIUM, default /usr/bin/chromium): playwright's own browsers are never downloaded.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
// the default run (every rule enabled by default) restricted to these tags: WCAG 2.0 A and AA,
// WCAG 2.1 AA and axe's best practices
const TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"];

const [base, ...pages] = process.argv.slice(2);
if (!base || pages.length === 0) {
  console.error("usage: node axe.mjs BASE_URL PAGE...");
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"],
});
const results = {};
let failed = false;
try {
  // the pages forbid scripts (Content-Security-Policy): axe is injected past it, as a test tool
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
  for (const page of pages) {
    const tab = await context.newPage();
    try {
      const response = await tab.goto(new URL(page, base.endsWith("/") ? base : base + "/").href,
                                      { waitUntil: "load" });
      if (!response || response.status() !== 200) {
        throw new Error(`HTTP ${response ? response.status() : "no response"}`);
      }
      await tab.addScriptTag({ content: AXE_SOURCE });
      const found = await tab.evaluate(async (tags) => {
        const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
        return result.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        }));
      }, TAGS);
      results[page] = found;
    } catch (error) {
      console.error(`${page}: ${error.message}`);
      failed = true;
    } finally {
      await tab.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results, null, 1) + "\n");
process.exit(failed ? 1 : 0);
