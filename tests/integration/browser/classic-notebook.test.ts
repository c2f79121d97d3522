/// <reference lib="dom" />
// The timing display in a real front end: Debian's classic Notebook 6.4 driven by puppeteer-core in Debian's
// chromium (headless). A %%flow of 20 tasks with dependencies runs live; the final chart, the demo's nbconvert
// HTML and an untrusted notebook must show pixels, not an empty box. Screenshots go to out/ (CI artefacts).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PNG } from 'pngjs';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { PYTHON, ROOT, jupyterEnv, type JupyterEnv } from '../kernel/helpers';

const CHROMIUM = '/usr/bin/chromium';
const OUT = path.join(ROOT, 'out');
let jenv: JupyterEnv;
let server: ChildProcess;
let browser: Browser;
let base = '';
let token = '';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Pixels that are clearly coloured (not white, grey or black): chart marks, not background or text. */
function colouredPixels(png: Buffer): number {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
  }
  return n;
}

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: 'flowbook', display_name: 'TypeScript (flowbook)', language: 'typescript' } },
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
  });
}

const FLOW = [
  '%%flow',
  'const step = flow.functionTask((ms: number, ..._deps: unknown[]) => new Promise((r) => setTimeout(() => r(ms), ms)), { name: "step" })',
  'const roots = Array.from({ length: 5 }, (_, i) => step(300 + 40 * i))',
  'const mids = roots.flatMap((r) => [step(250, r), step(350, r)])',
  'const leaves = mids.slice(0, 5).map((m, i) => step(200, m, mids[i + 5]))',
  'await Promise.all(leaves)',
].join('\n');

async function open(file: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1024, height: 900 });
  await page.goto(`${base}notebooks/${file}?token=${token}`, { waitUntil: 'networkidle2' });
  await page.waitForFunction(() => (window as any).Jupyter?.notebook?.kernel?.is_connected?.(), { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  jenv = jupyterEnv();
  const port = await freePort();
  token = randomBytes(16).toString('hex');
  base = `http://127.0.0.1:${port}/`;
  server = spawn(PYTHON, ['-m', 'notebook', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`, '--port-retries=0',
    `--NotebookApp.token=${token}`, `--notebook-dir=${jenv.dir}`], { env: jenv.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300 || server.exitCode !== null) throw new Error(`notebook server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const puppeteer = await import('puppeteer-core');
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  jenv?.cleanup();
});

test('a live %%flow: one output area that changes while it runs, a final chart with pixels', async () => {
  fs.writeFileSync(path.join(jenv.dir, 'flow.ipynb'), notebook([FLOW]));
  const page = await open('flow.ipynb');
  await page.evaluate(() => {
    const nb = (window as any).Jupyter.notebook;
    nb.select(0);
    nb.execute_cell();
  });
  const seen: string[] = [];
  const areas: number[] = [];
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const s = await page.evaluate(() => {
      const out = document.querySelector('.cell .output')!;
      return { n: out.querySelectorAll('.output_area').length, text: (out as HTMLElement).innerText, busy: document.querySelector('.cell .input_prompt')!.textContent!.includes('*') };
    });
    if (!s.busy) break;
    if (s.n) (areas.push(s.n), seen.push(s.text));
    if (seen.length === 3) await page.screenshot({ path: path.join(OUT, 'browser-flow-running.png') });
  }
  // The final chart is a second area, sent before idle: a sample may catch it while the prompt is still busy.
  const chartAt = areas.findIndex((n) => n > 1);
  const running = chartAt < 0 ? areas : areas.slice(0, chartAt);
  expect(running.length).toBeGreaterThanOrEqual(2);
  expect(new Set(running)).toEqual(new Set([1])); // one table, updated in place
  expect(areas.slice(running.length).every((n) => n === 2)).toBe(true); // then the table and the chart, no more
  expect(new Set(seen.slice(0, running.length)).size).toBeGreaterThanOrEqual(2); // it changed while running
  await page.waitForFunction(() => !document.querySelector('.cell .input_prompt')!.textContent!.includes('*'), { timeout: 60_000 });
  await page.screenshot({ path: path.join(OUT, 'browser-flow-done.png'), fullPage: true });
  const text = await page.evaluate(() => (document.querySelector('.cell .output') as HTMLElement).innerText);
  expect(text).toMatch(/20 tasks, 0 running, 20 done/);
  const chart = (await page.$('.cell .output .output_png, .cell .output .output_svg')) as ElementHandle<Element>;
  const shot = Buffer.from(await chart.screenshot({ path: path.join(OUT, 'browser-flow-chart.png') }));
  expect(colouredPixels(shot)).toBeGreaterThan(2000);
  await page.close();
}, 90_000);

test('the demo: its nbconvert HTML shows the charts as PNG, and so does the untrusted executed notebook', async () => {
  const run = (args: string[]) => spawnSync(PYTHON, ['-m', 'jupyter', 'nbconvert', ...args], { env: jenv.env, encoding: 'utf8', timeout: 300_000 });
  const executed = run(['--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=flowbook', '--ExecutePreprocessor.timeout=300',
    '--output-dir', jenv.dir, path.join(ROOT, 'notebooks/01-asyncflow-demo.ipynb')]);
  expect(executed.status).toBe(0);
  // As scripts/demo.sh converts it: PNG first, since nbconvert 6.5 strips SVG's children in HTML.
  const demo = fs.readFileSync(path.join(ROOT, 'scripts/demo.sh'), 'utf8');
  const priority = /^PNG_FIRST="(.*)"$/m.exec(demo)![1];
  const html = run(['--to', 'html', '--output-dir', OUT, path.join(jenv.dir, '01-asyncflow-demo.ipynb'), `--NbConvertBase.display_data_priority=${priority}`]);
  expect(html.status).toBe(0);
  const page = await browser.newPage();
  await page.setViewport({ width: 1024, height: 900 });
  await page.goto(`file://${path.join(OUT, '01-asyncflow-demo.html')}`, { waitUntil: 'load' });
  const imgs = await page.$$('img[src^="data:image/png"]');
  expect(imgs.length).toBeGreaterThanOrEqual(2);
  for (const [i, img] of imgs.entries()) {
    expect(await img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    const shot = Buffer.from(await img.screenshot(i === 0 ? { path: path.join(OUT, 'browser-demo-html-chart.png') } : {}));
    expect(colouredPixels(shot)).toBeGreaterThan(1000);
  }
  await page.close();

  // Executed headless, the notebook is not trusted here: the classic notebook hides SVG and HTML, shows PNG.
  const nb = await open('01-asyncflow-demo.ipynb');
  expect(await nb.evaluate(() => (window as any).Jupyter.notebook.trusted)).toBe(false);
  const shown = await nb.$$('.output_png img');
  expect(shown.length).toBeGreaterThanOrEqual(2);
  await shown[0].scrollIntoView();
  const shot = Buffer.from(await shown[0].screenshot({ path: path.join(OUT, 'browser-untrusted-chart.png') }));
  expect(colouredPixels(shot)).toBeGreaterThan(1000);
  await nb.close();
}, 240_000);
