/**
 * The console under a big history: a store seeded with 100,000 jobs (e2e/seed-store.ts, one
 * transaction), the real `tessera serve`, Debian's Chromium at 1280×800. Measures
 *  1. navigation → first history rows on screen, and → "queue interactive": those rows, plus a
 *     scroll of one screen answered with new rows in the next frames; in a fresh browser (most of
 *     that is Chromium starting its renderer: the bundle's own script runs in ~0.2 s) and on a
 *     reload;
 *  2. paging down to 50,000 rows' depth (cursor pages of 200, asked for as the end comes into
 *     view), with the frame times (requestAnimationFrame deltas) meanwhile;
 *  3. frame times scrolling back through the 50,000 loaded rows: a drag (the whole depth in 300
 *     frames) and a wheel (120 px a frame);
 *  4. the renderer bundle: dist/renderer/assets/*.js and *.css, raw and gzip, split into what the
 *     first screen loads and what loads on demand.
 * Set-up (seeding, start-up) is outside every timing. Prints tables; writes nothing to the repo.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchBrowser, startConsole, stopConsole } from '../e2e/harness.js';
import { type SeedJob, seedStore } from '../e2e/seed-store.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const DEPTH = Math.min(JOBS - 1, Number(process.env.BENCH_DEPTH ?? 50_000));
/** dist/bench/ → the built renderer. */
const RENDERER = fileURLToPath(new URL('../renderer/', import.meta.url));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${cells.slice(1).map(line).join('\n')}`);
}

/** A realistic mix: mostly succeeded, some partial and failed with their errors, a few cancelled. */
function seeds(n: number): SeedJob[] {
  const regions = ['alps', 'pyrenees', 'tatra', 'carpathians', 'balkans', 'scandes', 'apennines', 'caucasus'];
  return Array.from({ length: n }, (_, i): SeedJob => {
    const region = regions[i % regions.length]!;
    const name = `verify ${region}-${i}.mbtiles`;
    const cache = `/srv/tiles/${region}/${region}-${i}.mbtiles`;
    const total = 1000 + (i % 5000);
    if (i % 500 === 7) {
      return {
        name,
        cache,
        state: 'partial',
        total,
        failed: 12,
        items: ['z9', 'z10', 'z11', 'z12'],
        error: { code: 'TILE_CORRUPT', message: '1 of 4 item(s) failed; first: z12: 12 tiles at z12 are corrupt' },
      };
    }
    if (i % 37 === 3) return { name, cache, state: 'failed', error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${cache}` } };
    if (i % 53 === 5) return { name, cache, state: 'cancelled' };
    return { name, cache, state: 'succeeded', total };
  });
}

interface FrameStats {
  frames: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(deltas: number[]): FrameStats {
  const sorted = [...deltas].sort((a, b) => a - b);
  return { frames: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? 0 };
}

async function measureConsole(dir: string): Promise<void> {
  const dataDir = join(dir, 'data');
  const seeded = performance.now();
  seedStore(dataDir, seeds(JOBS), { paused: true, spacingMs: 30_000, direct: true });
  const seedMs = performance.now() - seeded;

  const tessera = await startConsole(dataDir);
  const { context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile'), { width: 1280, height: 800 });
  try {
    // The moment the first history row is in the DOM, in the page's own clock (0 = navigation start).
    await page.addInitScript(() => {
      const w = window as unknown as { firstRowsAt?: number };
      const observer = new MutationObserver(() => {
        if (w.firstRowsAt === undefined && document.querySelector('.history-scroll [data-index]')) {
          w.firstRowsAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    await page.goto(tessera.url);

    const first = await page.evaluate(async () => {
      const w = window as unknown as { firstRowsAt?: number };
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
      while (w.firstRowsAt === undefined) await frame();
      const scroller = document.querySelector<HTMLElement>('.history-scroll')!;
      // One screen down: interactive when rows below the first screen are there to see.
      scroller.scrollTop += scroller.clientHeight;
      const want = Math.floor(scroller.scrollTop / 52);
      for (;;) {
        await frame();
        const indexes = [...scroller.querySelectorAll('[data-index]')].map((r) => Number(r.getAttribute('data-index')));
        if (Math.max(...indexes) > want) break;
      }
      return { firstRows: w.firstRowsAt, interactive: performance.now(), nav: performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming };
    });

    // Page down to DEPTH: jump to the end each frame; the list asks for the next page as the end shows.
    const paging = await page.evaluate(async (depth) => {
      const scroller = document.querySelector<HTMLElement>('.history-scroll')!;
      const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
      const deltas: number[] = [];
      const start = performance.now();
      let last = start;
      for (;;) {
        const now = await frame();
        deltas.push(now - last);
        last = now;
        const deepest = Math.max(...[...scroller.querySelectorAll('[data-index]')].map((r) => Number(r.getAttribute('data-index'))));
        if (deepest >= depth) break;
        if (now - start > 300_000) throw new Error(`stuck at row ${deepest}`);
        scroller.scrollTop = scroller.scrollHeight;
      }
      const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { ms: performance.now() - start, deltas, heap: memory?.usedJSHeapSize ?? null };
    }, DEPTH);

    // Back up through the loaded rows: a drag (big jumps, every frame all new rows) and a wheel.
    const scrollBack = (stepPx: number | null, frames: number) =>
      page.evaluate(
        async ({ stepPx, frames }) => {
          const scroller = document.querySelector<HTMLElement>('.history-scroll')!;
          const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
          const step = stepPx ?? scroller.scrollTop / frames;
          const deltas: number[] = [];
          let last = await frame();
          for (let i = 0; i < frames; i++) {
            scroller.scrollTop = Math.max(0, scroller.scrollTop - step);
            const now = await frame();
            deltas.push(now - last);
            last = now;
          }
          return deltas;
        },
        { stepPx, frames },
      );
    const drag = await scrollBack(null, 300);
    const wheel = await scrollBack(120, 300);

    // Opened again: the browser is warm and has the bundle cached (the usual case for an operator).
    await page.reload();
    const warm = await page.evaluate(async () => {
      const w = window as unknown as { firstRowsAt?: number };
      while (w.firstRowsAt === undefined) await new Promise((resolve) => requestAnimationFrame(resolve));
      return w.firstRowsAt;
    });
    if (pageErrors.length > 0) throw new Error(`the console logged errors: ${pageErrors.join('\n')}`);

    table(
      `Queue screen with ${JOBS.toLocaleString('en')} jobs in the store (seeded in ${(seedMs / 1000).toFixed(1)} s), Chromium ${context.browser()?.version() ?? ''} headless, 1280×800`,
      ['measure', 'ms'],
      [
        ['first visit (fresh browser): navigation → document loaded (responseEnd)', first.nav.responseEnd.toFixed(0)],
        ['first visit: navigation → first history rows rendered', first.firstRows!.toFixed(0)],
        ['first visit: navigation → queue interactive (a scroll answered with new rows)', first.interactive.toFixed(0)],
        ['reload (warm browser, cached bundle): navigation → first history rows', warm.toFixed(0)],
        [`paging down to row ${DEPTH.toLocaleString('en')} (${Math.ceil(DEPTH / 200)} pages of 200)`, paging.ms.toFixed(0)],
      ],
    );
    const rows: (string | number)[][] = [];
    for (const [what, deltas] of [
      [`paging to ${DEPTH.toLocaleString('en')} rows`, paging.deltas],
      [`drag back through ${DEPTH.toLocaleString('en')} loaded rows (300 frames)`, drag],
      ['wheel over loaded rows (120 px a frame, 300 frames)', wheel],
    ] as const) {
      const s = stats(deltas);
      rows.push([what, s.frames, s.p50.toFixed(1), s.p95.toFixed(1), s.max.toFixed(1)]);
    }
    table('History scroll frame times (requestAnimationFrame deltas; 16.7 ms = 60 fps)', ['scroll', 'frames', 'p50 ms', 'p95 ms', 'max ms'], rows);
    if (paging.heap !== null) console.log(`JS heap with ${DEPTH.toLocaleString('en')} rows loaded: ${(paging.heap / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await context.close().catch(() => {});
    await stopConsole(tessera);
  }
}

/** Sizes of the built renderer's scripts and styles; "first screen" is what index.html loads. */
function bundleSizes(): void {
  const assets = join(RENDERER, 'assets');
  const html = readFileSync(join(RENDERER, 'index.html'), 'utf8');
  const files = readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
  const rows = files.map((file) => {
    const data = readFileSync(join(assets, file));
    return { file, initial: html.includes(`assets/${file}`), raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
  rows.sort((a, b) => Number(b.initial) - Number(a.initial) || b.raw - a.raw);
  const kb = (n: number) => (n / 1024).toFixed(1);
  const sum = (list: typeof rows) => list.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip }), { raw: 0, gzip: 0 });
  const initial = sum(rows.filter((r) => r.initial));
  const all = sum(rows);
  table(
    'Renderer bundle (dist/renderer/assets/*.js, *.css)',
    ['file', 'loads', 'raw KiB', 'gzip KiB'],
    [
      ...rows.map((r) => [r.file, r.initial ? 'first screen' : 'on demand', kb(r.raw), kb(r.gzip)]),
      ['total, first screen', '', kb(initial.raw), kb(initial.gzip)],
      ['total', '', kb(all.raw), kb(all.gzip)],
    ],
  );
  const worker = readdirSync(assets).filter((f) => f.endsWith('.mjs'));
  if (worker.length > 0) console.log(`(not counted: ${worker.join(', ')}, the map's web worker, loaded with the map)`);
}

export async function runRendererBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-renderer-bench-'));
  try {
    await measureConsole(dir);
    bundleSizes();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: `node dist/bench/renderer-bench.js`.
if (process.argv[1] === fileURLToPath(import.meta.url)) await runRendererBench();
