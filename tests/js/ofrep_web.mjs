// Serves this folder on a loopback port, opens a page of it in headless Chromium (argv[3], default ofrep_web.html:
// the OFREP web provider; posthog_of_web.html: PostHog's own web provider over posthog-js) and evaluates flags
// there against FLAGCORE_URL. Input (argv[2]): JSON {context, cases}; output: JSON results.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('.', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };
const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(root, path));
    response.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { context, cases } = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const pageName = process.argv[3] ?? 'ofrep_web.html';
  await page.goto(`http://127.0.0.1:${server.address().port}/${pageName}`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 15000 }).catch(() => {
    throw new Error(`page did not load: ${errors.join('; ')}`);
  });
  const results = await page.evaluate(
    ([url, token, ctx, list]) => window.evaluate(url, token, ctx, list),
    [process.env.FLAGCORE_URL, process.env.FLAGCORE_PROJECT_KEY, context, cases],
  );
  process.stdout.write(JSON.stringify(results));
} finally {
  await browser.close();
  server.close();
}
