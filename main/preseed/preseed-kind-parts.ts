/**
 * The steps the raster and vector preseeds take alike: both turn a list of GDAL inputs into tiles
 * in one output, one item per input, with an optional coverage. What each kind does differently
 * (raster folders GDAL opens, vector layer choice, vector overwrite clean-up) stays in the kind;
 * these are the parts that are the same to the letter:
 * - validate: inputs and coverage exist (unless GDAL opens them without a file), the output can be
 *   written (main/paths/output-path.ts), and every problem is one BAD_INPUT naming its field;
 * - estimate: a dry run at an output that cannot be written says so first;
 * - plan: one item per input, labelled by its base name;
 * - begin: the coverage loaded, the output opened, noting whether something was there before;
 * - end: metadata written when something was made, the writer closed, an empty new output removed.
 */

import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { JobEstimate } from '../../shared/contract.js';
import { TesseraError, throwIfAborted } from '../../shared/errors.js';
import type { KindEnvironment } from '../kinds/job-kind.js';
import { assertOutputPath, checkOutputPath, pathExists } from '../paths/output-path.js';
import { outputExists, removeEmptyOutput } from '../tile-cache/empty-output.js';
import { openTileWriter } from '../tile-cache/open-tile-writer.js';
import type { TilesetMetadata, TileWriter } from '../tile-cache/tile-writer.js';
import { type Coverage, loadCoverage } from '../tiling/coverage.js';

/** One item: an input of the job. */
export interface PreseedItemSpec {
  path: string;
  /** Position in the job's list of inputs (its field name in errors). */
  index: number;
  /** When the job was planned: tiles written since are this job's own. */
  plannedAt: number;
}

/** A problem with one field of the params, as BAD_INPUT's details.issues lists them. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface PreseedPaths {
  /** The inputs, and their field in params (`params.datasets`, `params.sources`). */
  inputs: readonly string[];
  inputField: string;
  coverage: string | undefined;
  output: string;
  /** Paths GDAL opens without a file on disk (virtual file systems, connection strings): not checked. */
  isVirtual(path: string): boolean;
  /** What to say of an input that does not exist. */
  missing(path: string): string;
  /** What is wrong with an input that exists, or null. */
  checkExisting?(path: string, info: Stats): Promise<string | null>;
}

/** The problems with a preseed's inputs, coverage and output (unsorted: see throwIssues). */
export async function checkPreseedPaths(paths: PreseedPaths): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  await Promise.all(
    paths.inputs.map(async (path, i) => {
      if (paths.isVirtual(path)) return;
      const info = await stat(path).catch(() => null);
      const problem = info === null ? paths.missing(path) : ((await paths.checkExisting?.(path, info)) ?? null);
      if (problem !== null) issues.push({ field: `${paths.inputField}.${i}`, message: problem });
    }),
  );
  if (paths.coverage !== undefined && !paths.isVirtual(paths.coverage) && !(await pathExists(paths.coverage))) {
    issues.push({
      field: 'params.coverage',
      message: `no such file: ${paths.coverage}`,
    });
  }
  const outputProblem = await checkOutputPath(paths.output);
  if (outputProblem) issues.push({ field: 'params.output', message: outputProblem });
  return issues;
}

/** One BAD_INPUT naming every field, sorted by field (params.datasets.2 before params.datasets.10); nothing when there are none. */
export function throwIssues(issues: FieldIssue[]): void {
  if (issues.length === 0) return;
  issues.sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }));
  throw new TesseraError('BAD_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
}

/** A kind's estimate, after the output check: a dry run at an output that cannot be written says so, rather than how much would not fit there. */
export function estimateAtWritableOutput<P extends { output: string }>(
  estimate: (params: P, env: KindEnvironment, signal: AbortSignal) => Promise<JobEstimate>,
) {
  return async (params: P, env: KindEnvironment, signal: AbortSignal): Promise<JobEstimate> => {
    await assertOutputPath(params.output);
    return estimate(params, env, signal);
  };
}

/** One item per input, labelled by its base name, with "(n)" (its place in the list) where two share one. Nothing is opened: a broken input fails its own item, not the plan. */
export function planInputs(inputs: readonly string[]): { label: string; spec: PreseedItemSpec }[] {
  const plannedAt = Date.now();
  const names = inputs.map((p) => basename(p));
  return inputs.map((path, index) => ({
    label: names.filter((n) => n === names[index]).length > 1 ? `${names[index]} (${index + 1})` : names[index]!,
    spec: { path, index, plannedAt },
  }));
}

/** The job's coverage, if it has one (then a cancel in the meantime is honoured). */
export async function loadJobCoverage(coverage: string | undefined, signal: AbortSignal): Promise<Coverage | undefined> {
  const loaded = coverage ? await loadCoverage(coverage) : undefined;
  throwIfAborted(signal);
  return loaded;
}

export interface OpenedOutput {
  writer: TileWriter;
  /** Something was at the output before this run opened it: it is never removed then. */
  existed: boolean;
}

export async function openOutput(output: string, options: Parameters<typeof openTileWriter>[1]): Promise<OpenedOutput> {
  const existed = await outputExists(output);
  const writer = await openTileWriter(output, options);
  return { writer, existed };
}

/** What both kinds write alike in the tileset's metadata. */
type CommonMetadata = 'name' | 'minzoom' | 'maxzoom';

/**
 * The end of a preseed: unless cancelled, `metadataOf` gives the metadata (null when nothing was
 * made), which is written; then the writer closes, and a run that made nothing where nothing was
 * leaves nothing (not an empty MBTiles).
 */
export async function finishOutput(
  params: { output: string; title?: string; minZoom: number; maxZoom: number },
  output: OpenedOutput,
  outcome: { cancelled: boolean },
  metadataOf: () => Promise<Omit<TilesetMetadata, CommonMetadata> | null>,
): Promise<void> {
  let described = false;
  try {
    if (outcome.cancelled) return;
    const metadata = await metadataOf();
    if (!metadata) return;
    const { format, bounds, ...rest } = metadata;
    await output.writer.finish({
      // In the order the kinds wrote them before (a PMTiles' JSON metadata keeps it).
      name: params.title ?? basename(params.output).replace(/\.(mbtiles|pmtiles)$/i, ''),
      format,
      bounds,
      minzoom: params.minZoom,
      maxzoom: params.maxZoom,
      ...rest,
    });
    described = true;
  } finally {
    await output.writer.close();
    if (!output.existed && !described) await removeEmptyOutput(params.output);
  }
}

/** The job's name in lists (shared/preseed-name.ts: the console tells it from a typed name). */
export { describePreseed } from '../../shared/preseed-name.js';
