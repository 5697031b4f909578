/**
 * An ingest's `stage` items: a unit (a file with its side files, or an archive) copied into the
 * job's staging folder under its quotas, unpacked, and its datasets found; and the staged unit as
 * a dataset's items find it (staged again when this run has not staged it).
 */
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { duplicateMessage, findDuplicates } from './duplicates.js';
import { refused } from './ingest-errors.js';
import { type DatasetSpec, type IngestContext, type IngestItem, type StageSpec, jobStaging } from './ingest-spec.js';
import { type StagedUnit, stageUnit, unitDir } from './staging.js';

/** The part of a unit's bytes its stage item counts; its imports count the rest (ingest-kind.ts plan). */
export function stagingShare(bytes: number): number {
  return Math.max(1, Math.floor(bytes / 2));
}

export async function stageItem(spec: StageSpec, item: IngestItem, context: IngestContext): Promise<Record<string, unknown>> {
  const session = context.session;
  const dir = unitDir(jobStaging(context.dataDir, item.jobId), spec.unit.index);
  let done = 0;
  let copied = 0;
  // The item's total is the staging share of the unit's bytes (stagingShare): done follows the
  // copy in proportion, never past the total.
  const scale = item.total / Math.max(1, spec.unit.bytes);
  const staging = stageUnit(spec.unit, dir, {
    guard: session.guard,
    signal: context.signal,
    onBytes: (n) => {
      copied += n;
      const step = Math.max(0, Math.min(Math.floor(copied * scale), item.total) - done);
      done += step;
      context.progress({ done: step, bytes: n });
    },
  });
  session.staged.set(spec.unit.index, staging);
  session.stageFailures.delete(spec.unit.index);
  let staged: StagedUnit;
  try {
    staged = await staging;
  } catch (error) {
    session.staged.delete(spec.unit.index);
    const failure = toTesseraError(error);
    session.stageFailures.set(spec.unit.index, failure);
    throw failure;
  }
  context.progress({ done: Math.max(0, item.total - done) });
  const planned = new Set(spec.datasets.map(datasetId));
  const unplanned = staged.datasets.filter((d) => !planned.has(datasetId(d))).map((d) => d.relPath);
  if (unplanned.length > 0)
    context.event(
      'ingest.unplanned',
      `${spec.unit.name}: ${unplanned.length} dataset(s) appeared only once it was staged and are not imported: ${unplanned.join(', ')}`,
      { unplanned },
    );
  for (const s of staged.skipped) context.event('ingest.skipped', `${spec.unit.name}: skipped ${s.file}: ${s.reason}`, s);
  // The same file ingested again makes a second copy: said in the job's log, its result (the
  // console's uploads dock and the CLI's summary read it) and the engine's log.
  const duplicates = findDuplicates(
    context.catalog,
    spec.unit.files.map((f) => f.name),
    spec.datasets.map((d) => d.name),
    item.jobId,
  );
  const duplicate = duplicates.length > 0 ? duplicateMessage(spec.unit.name, duplicates) : null;
  if (duplicate) {
    context.event('ingest.duplicate', duplicate, { duplicates });
    context.logger.warn(`job ${item.jobId}: ${duplicate}`);
  }
  return {
    ...(duplicate ? { duplicate } : {}),
    // Each file as the job's params name it and by its own name: the console shows an upload's name, not its id.
    files: spec.unit.files.map((f) => ({ ref: f.ref, name: f.name })),
    bytes: staged.bytes,
    datasets: staged.datasets.map((d) => ({ name: d.name, kind: d.kind, file: d.relPath.replace(/^x\//, ''), layers: d.layers.map((l) => l.name) })),
    skipped: staged.skipped,
  };
}

function datasetId(d: { relPath: string; subdataset?: string | undefined }): string {
  return `${d.relPath}\u0000${d.subdataset ?? ''}`;
}

/** The staged unit, staged again when this run has not (a retry of a layer whose stage succeeded before). */
export async function stagedUnit(spec: DatasetSpec, item: IngestItem, context: IngestContext): Promise<StagedUnit> {
  const session = context.session;
  const failed = session.stageFailures.get(spec.unit.index);
  if (failed) {
    // The file is named once: the item's label says it already.
    const why = failed.message.startsWith(`${spec.unit.name}: `) ? failed.message.slice(spec.unit.name.length + 2) : failed.message;
    throw new TesseraError(failed.code, `${item.label}: not imported, because ${why}`, { details: failed.details });
  }
  let staging = session.staged.get(spec.unit.index);
  if (!staging) {
    staging = stageUnit(spec.unit, unitDir(jobStaging(context.dataDir, item.jobId), spec.unit.index), {
      guard: session.guard,
      // No bytes counted: its stage item read these files and counted them, once per file; a
      // retry that stages them again (for a layer that failed) does not read them "again".
      signal: context.signal,
    });
    session.staged.set(spec.unit.index, staging);
    staging.catch(() => session.staged.delete(spec.unit.index));
  }
  const staged = await staging;
  const found = staged.datasets.find((d) => datasetId(d) === datasetId(spec.dataset));
  if (!found) throw refused('layer-missing', `${item.label}: ${spec.dataset.relPath.replace(/^x\//, '')} is no longer in ${spec.unit.name}`);
  return staged;
}
