/**
 * What `tessera` prints when a job it ran ends: the state and how long it took, what was made (in
 * tiles, features or datasets, sizes in KiB/MiB/GiB as the console shows them), where the output
 * is, and each failed item once with a message an operator can act on. The --json document is
 * built elsewhere and does not pass through here.
 */
import { basename } from 'node:path';
import type { CatalogDataset, JobItem, JobSummary } from '../../shared/contract.js';
import type { SerializedError } from '../../shared/errors.js';
import { formatBytes, formatDuration } from '../../shared/format.js';
import { CRS_ADVICE, CRS_ADVICE_CLI } from '../ingest/ingest-errors.js';

export interface SummaryInput {
  job: JobSummary;
  items: readonly JobItem[];
  /** The catalogue datasets the job made or refreshed (ingest, migrate-esri). */
  datasets: readonly CatalogDataset[];
  dataDir: string;
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** The summary, one fact per line, labels aligned. */
export function formatJobSummary(s: SummaryInput): string {
  const { job } = s;
  // The time it spent running over its attempts, not since its first start (runSeconds).
  const elapsed = job.startedAt === null || job.finishedAt === null ? null : job.runSeconds * 1000;
  const head = `job ${job.id} ${job.state}${elapsed === null ? '' : `${job.state === 'succeeded' ? ' in' : ' after'} ${formatDuration(elapsed)}`}: ${job.name}`;
  const rows: [string, string][] = [];
  const i = job.items;
  if (i.succeeded !== i.total) {
    const rest = [
      i.partial && `${count(i.partial)} partial`,
      i.failed && `${count(i.failed)} failed`,
      i.cancelled && `${count(i.cancelled)} cancelled`,
      i.interrupted && `${count(i.interrupted)} interrupted`,
      i.queued + i.running && `${count(i.queued + i.running)} not run`,
    ].filter(Boolean);
    rows.push(['items', `${count(i.succeeded)} of ${count(i.total)} succeeded${rest.length ? `, ${rest.join(', ')}` : ''}`]);
  }
  rows.push(...madeRows(s));
  // An ingest of a file the catalogue already held (ingest/duplicates.ts): said, not silent.
  for (const item of s.items) if (typeof item.result?.duplicate === 'string') rows.push(['warning', item.result.duplicate]);
  const failed = s.items.filter((item) => item.state === 'failed' && item.error);
  for (const item of failed) rows.push(['failed', `${item.label}: ${operatorMessage(item.error!, item.label)}`]);
  if (failed.length === 0 && job.error) rows.push(['error', operatorMessage(job.error)]);
  return [head, ...rows.map(([label, text]) => `  ${label.padEnd(8)} ${text.replace(/\n/g, `\n  ${' '.repeat(9)}`)}`)].join('\n');
}

function madeRows(s: SummaryInput): [string, string][] {
  const { job } = s;
  const p = job.progress;
  const results = s.items.map((item) => item.result ?? {});
  const sum = (key: string) => results.reduce((n, r) => n + (typeof r[key] === 'number' ? (r[key] as number) : 0), 0);
  switch (job.kind) {
    case 'preseed-raster':
    case 'preseed-vector': {
      const params = job.params as { minZoom: number; maxZoom: number; output: string };
      const zooms = params.minZoom === params.maxZoom ? `z${params.minZoom}` : `z${params.minZoom}–${params.maxZoom}`;
      // A raster item's result counts its transparent tiles; the job's counters count every skip.
      const empty = Math.max(sum('transparent'), p.skipped);
      const notes = [
        sum('kept') && `${count(sum('kept'))} already there`,
        empty && `${count(empty)} empty skipped`,
        sum('oversized') && `${count(sum('oversized'))} oversized`,
        sum('thinned') && `${count(sum('thinned'))} thinned`,
        sum('failedTiles') && `${count(sum('failedTiles'))} failed`,
      ].filter(Boolean);
      // Items record what they wrote when they end; a job cancelled early has only its counters.
      const ended = s.items.some((item) => item.result);
      const made = ended ? plural(sum('written'), 'tile') : `${count(p.done)} of ${plural(p.total, 'tile')} done`;
      const unfinished = ended && p.done < p.total ? ` (${count(p.done)} of ${count(p.total)} done)` : '';
      const rows: [string, string][] = [['made', `${made}${notes.length ? `, ${notes.join(', ')}` : ''}${unfinished}, ${zooms}, ${formatBytes(p.bytes)}`]];
      if (job.kind === 'preseed-vector') {
        const features = results
          .flatMap((r) => (Array.isArray(r.layers) ? (r.layers as { features?: number }[]) : []))
          .reduce((n, l) => n + (l.features ?? 0), 0);
        const dropped = sum('droppedFeatures');
        if (features > 0) rows.push(['from', `${plural(features, 'feature')}${dropped ? `, ${count(dropped)} dropped to fit` : ''}`]);
      }
      rows.push(['output', params.output]);
      return rows;
    }
    case 'verify': {
      const params = job.params as { cache: string };
      const zs = results.map((r) => r.z).filter((z): z is number => typeof z === 'number');
      const zooms = zs.length === 0 ? '' : Math.min(...zs) === Math.max(...zs) ? `, z${zs[0]}` : `, z${Math.min(...zs)}–${Math.max(...zs)}`;
      const found = `${count(sum('corrupt'))} corrupt, ${count(sum('empty'))} empty, ${count(sum('oversized'))} oversized`;
      return [
        ['checked', `${count(p.done)} of ${plural(p.total, 'tile')}${zooms}, ${formatBytes(p.bytes)}: ${found}`],
        ['cache', params.cache],
      ];
    }
    case 'truncate': {
      const params = job.params as { cache: string; minZoom: number; maxZoom: number };
      const zooms = params.minZoom === params.maxZoom ? `z${params.minZoom}` : `z${params.minZoom}–${params.maxZoom}`;
      // Items record what they deleted when they end; a job cancelled early has only its counters.
      const ended = s.items.some((item) => item.result);
      const deleted = ended ? plural(sum('deleted'), 'tile') : `${count(p.done)} of ${plural(p.total, 'tile')}`;
      return [
        ['deleted', `${deleted}, ${zooms}, ${formatBytes(p.bytes)}`],
        ['cache', params.cache],
      ];
    }
    case 'ingest':
    case 'migrate-esri': {
      const layers = s.datasets.reduce((n, d) => n + d.layers.length, 0);
      const features = s.datasets.reduce((n, d) => n + d.layers.reduce((m, l) => m + l.featureCount, 0), 0);
      const size = s.datasets.reduce((n, d) => n + d.sizeBytes, 0);
      const what = [layers && plural(layers, 'layer'), layers && plural(features, 'feature')].filter(Boolean).join(', ');
      const read = job.kind === 'ingest' ? `; ${formatBytes(p.bytes)} read` : '';
      const made = s.datasets.length === 0 ? 'no dataset' : `${plural(s.datasets.length, 'dataset')}${what ? ` (${what})` : ''}, ${formatBytes(size)}`;
      const rows: [string, string][] = [['made', `${made}${read}`]];
      if (s.datasets.length > 0) {
        const width = Math.max(...s.datasets.map((d) => d.name.length));
        const list = s.datasets.map((d) => `  dataset ${String(d.id).padEnd(4)} ${d.name.padEnd(width)}  ${d.path}`);
        rows.push(['output', `the catalogue of ${s.dataDir} (tessera catalog show <id>):\n${list.join('\n')}`]);
      }
      return rows;
    }
  }
}

/**
 * An error as an operator reads it: without the item's label repeated in front of it (the summary
 * names the item already) and without the staging folder an upload was copied to; its code in
 * front, as every other refusal of the CLI prints it.
 */
export function operatorMessage(error: SerializedError, label?: string): string {
  let text = error.message.trim();
  const prefixes = label ? [label, ...label.split(' › '), basename(label.split(' › ')[0]!)] : [];
  // Engines and pipelines each prefix what they pass on: "a.shp › a: a.shp › a: layer…".
  for (let changed = true; changed; ) {
    changed = false;
    for (const prefix of prefixes) {
      if (prefix && text.startsWith(`${prefix}: `)) {
        text = text.slice(prefix.length + 2).trimStart();
        changed = true;
      }
    }
  }
  // GDAL quotes paths as `path'; an upload's path is its staging copy, which the user never chose.
  text = text.replace(/(?:\/[^\s`'"/]+)*\/staging\/job-\d+\/[^\s`'"/]+\//g, '').replace(/`([^`'\n]*)'/g, "'$1'");
  // The console's advice for a missing CRS ("give its CRS and retry") is --crs on the command line.
  text = text.split(CRS_ADVICE).join(CRS_ADVICE_CLI);
  return `${error.code}: ${text}`;
}

/** Milliseconds from one ISO time to another; null when either is missing. */
