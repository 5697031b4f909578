/**
 * The dry run's time against the job's (issue 15.2): for Natural Earth states z0–7, countries z0–8
 * and states over the contiguous US z0–10 (vector) and Blue Marble z0–6 (raster), each rep estimates, then runs the same job on the same engine and pool,
 * the two cases alternating rep by rep. The table gives medians, the estimate's own likely range,
 * and estimated ÷ measured (the target: within 2×, i.e. 0.5–2.0).
 *
 * Time is measured here and not in the unit tests (main/preseed/estimate-accuracy.test.ts checks the
 * counts and bytes, which do not depend on the machine's load).
 *
 *   node dist/bench/estimate-accuracy-bench.js [--reps N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobStartInput } from '../shared/contract.js';
import { Engine } from '../main/engine/engine.js';
import { createLogger } from '../main/logging/logger.js';
import { blueMarbleTif, worldMapGpkg } from '../main/testing/real-data.js';
import { table } from './measure-process.js';

interface Case {
  name: string;
  input: (output: string) => JobStartInput;
}

const CASES: Case[] = [
  {
    name: 'states z0–7 (vector)',
    input: (output) => ({
      kind: 'preseed-vector',
      params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 7, output },
    }),
  },
  {
    name: 'countries z0–8 (vector)',
    input: (output) => ({ kind: 'preseed-vector', params: { sources: [worldMapGpkg()], layers: [{ name: 'countries' }], minZoom: 0, maxZoom: 8, output } }),
  },
  {
    name: 'states, contiguous US bbox, z0–10 (vector)',
    input: (output) => ({
      kind: 'preseed-vector',
      params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 10, bbox: [-125, 25, -66, 50], output },
    }),
  },
  {
    name: 'Blue Marble z0–6 (raster)',
    input: (output) => ({ kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 6, output } }),
  },
];

interface Rep {
  estimated: number;
  low: number;
  high: number;
  measured: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function runEstimateAccuracyBench(reps = 3): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-bench-estimate-'));
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', threads: 2, logger: createLogger('warn') });
  const results = new Map<string, Rep[]>(CASES.map((c) => [c.name, []]));
  try {
    await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
    for (let rep = 0; rep < reps; rep++) {
      for (const c of CASES) {
        const input = c.input(join(root, `${rep}-${CASES.indexOf(c)}.mbtiles`));
        const estimate = await engine.estimate(input);
        const started = performance.now();
        const job = await engine.start(input);
        const done = await engine.waitFor(job.id);
        const measured = (performance.now() - started) / 1000;
        if (done.state !== 'succeeded') throw new Error(`${c.name}: the job ended ${done.state}: ${JSON.stringify(done.error)}`);
        if (estimate.estimatedSeconds === null || !estimate.range) throw new Error(`${c.name}: the dry run gave no time`);
        results.get(c.name)!.push({ estimated: estimate.estimatedSeconds, low: estimate.range.seconds[0], high: estimate.range.seconds[1], measured });
      }
    }
  } finally {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  }
  table(
    `Dry-run time against the job's (medians of ${reps}, cases alternating; load average ${loadavg()[0]!.toFixed(1)})`,
    ['case', 'estimated', 'likely range', 'measured', 'estimated ÷ measured', 'within 2×'],
    CASES.map((c) => {
      const r = results.get(c.name)!;
      const ratio = median(r.map((x) => x.estimated / x.measured));
      return [
        c.name,
        `${median(r.map((x) => x.estimated)).toFixed(1)} s`,
        `${median(r.map((x) => x.low)).toFixed(1)}–${median(r.map((x) => x.high)).toFixed(1)} s`,
        `${median(r.map((x) => x.measured)).toFixed(1)} s`,
        ratio.toFixed(2),
        ratio >= 0.5 && ratio <= 2 ? 'yes' : 'no',
      ];
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--reps');
  await runEstimateAccuracyBench(at > 0 ? Number(process.argv[at + 1]) : 3);
}
