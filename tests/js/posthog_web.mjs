// Serves this folder on a loopback port, opens posthog_web.html in headless Chromium and runs posthog-js there
// against FLAGCORE_URL. Input (argv[2]): JSON {flag, user, timeoutMs}; output: JSON of what the page saw, plus
// every request to flagcore that failed or answered an error status.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('.', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };
const server = createServer(async (request, response) => {
  if (request.url === '/favicon.ico') { // asked by Chromium; a 404 would read as a failed request in the console
    response.writeHead(204);
    response.end();
    return;
  }
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
const input = JSON.parse(process.argv[2]);
const flagcore = process.env.FLAGCORE_URL;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  const failed = [];
  const sent = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    const url = response.url();
    if (!url.startsWith(flagcore)) return;
    sent.push(new URL(url).pathname);
    if (response.status() >= 400) failed.push(`${response.request().method()} ${url}: ${response.status()}`);
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/posthog_web.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 15000 }).catch(() => {
    throw new Error(`page did not load: ${errors.join('; ')}`);
  });
  const result = await page.evaluate(
    ([url, token, options]) => window.run(url, token, options),
    [flagcore, process.env.FLAGCORE_PROJECT_KEY, input],
  );
  process.stdout.write(JSON.stringify({ ...result, errors, failed, paths: [...new Set(sent)].sort() }));
} finally {
  await browser.close();
  server.close();
}
