/**
 * "Run again with these settings" for a preseed: a finished job's params back into the form they
 * came from (the inverse of rasterInput / vectorInput), so the operator edits and starts a new job
 * instead of one starting at once. The draft store holds it; the form shows it like any draft.
 */
import type { JobParamsOf, JobSummary } from '../../shared/contract.js';
import { rasterPreseedName, vectorPreseedName } from '../../shared/preseed-name.js';
import type { AttributeChoice, CommonForm, LayerForm, PreseedKind, RasterForm, VectorForm } from './preseed-form.js';
import { usePreseedDraft } from './preseed-draft.js';

type RasterParams = JobParamsOf<'preseed-raster'>;
type VectorParams = JobParamsOf<'preseed-vector'>;
type Job = Pick<JobSummary, 'name' | 'priority'>;

const text = (n: number | undefined): string => (n === undefined ? '' : String(n));

function attributeChoice(list: readonly string[] | undefined): AttributeChoice {
  if (list === undefined) return { keep: 'all', list: '' };
  return list.length === 0 ? { keep: 'none', list: '' } : { keep: 'only', list: list.join(', ') };
}

/** An ISO instant as a `datetime-local` value in the operator's time zone (what the field shows). */
export function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * The job's name for the new job: a typed one is kept; the one the engine made up for the old
 * params ("preseed raster bluemarble.tif → bm-west.mbtiles") is dropped, so the new job gets one
 * made from its own params (and Save as plan suggests the output's short name, not a long one).
 */
function nameFor(job: Job, generated: string): string {
  return job.name === generated ? '' : job.name;
}

function commonForm(p: RasterParams | VectorParams, job: Job, generated: string): CommonForm {
  return {
    minZoom: String(p.minZoom),
    maxZoom: String(p.maxZoom),
    bbox: p.bbox ? (p.bbox.map(String) as CommonForm['bbox']) : ['', '', '', ''],
    coverage: p.coverage ?? '',
    mode: p.mode,
    olderThan: p.olderThan ? localDateTime(p.olderThan) : '',
    // The same output: mode resume (the usual) adds only what is missing; the operator may change it.
    output: p.output,
    title: p.title ?? '',
    name: nameFor(job, generated),
    priority: String(job.priority),
  };
}

/** A raster job's params as the raster form. */
export function rasterFormOf(p: RasterParams, job: Job): RasterForm {
  const range = Array.isArray(p.scale) ? p.scale : null;
  return {
    ...commonForm(p, job, rasterPreseedName(p)),
    datasets: [...p.datasets],
    tileSize: p.tileSize,
    format: p.format,
    quality: String(p.quality),
    pngPalette: p.pngPalette,
    resampling: p.resampling,
    scaleMode: range ? 'range' : 'auto',
    scaleMin: range ? String(range[0]) : '',
    scaleMax: range ? String(range[1]) : '',
  };
}

/** A vector job's params as the vector form. */
export function vectorFormOf(p: VectorParams, job: Job): VectorForm {
  const layers: LayerForm[] = (p.layers ?? []).map((l) => ({
    name: l.name,
    as: l.as ?? '',
    attributes: attributeChoice(l.attributes),
    minZoom: text(l.minZoom),
    maxZoom: text(l.maxZoom),
  }));
  return {
    ...commonForm(p, job, vectorPreseedName(p)),
    sources: [...p.sources],
    layers,
    attributes: attributeChoice(p.attributes),
    extent: String(p.extent),
    buffer: String(p.buffer),
    tolerance: String(p.tolerance),
    maxTileKiB: String(p.maxTileBytes / 1024),
    thin: p.thin,
    assignCrs: p.assignCrs ?? '',
  };
}

/**
 * Puts a preseed job's settings into its form's draft and says which tab shows it; null for a job
 * that is not a preseed.
 */
export function prefillPreseed(job: JobSummary): PreseedKind | null {
  const draft = usePreseedDraft.getState();
  if (job.kind === 'preseed-raster') {
    draft.setRaster(rasterFormOf(job.params, job));
    draft.setLastKind('raster');
    return 'raster';
  }
  if (job.kind === 'preseed-vector') {
    draft.setVector(vectorFormOf(job.params, job));
    draft.setLastKind('vector');
    return 'vector';
  }
  return null;
}
