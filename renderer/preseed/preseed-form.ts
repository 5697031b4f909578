/**
 * The preseed forms' model: what the operator typed (text, so a half-typed number stays as typed),
 * turned into the contract's jobs.start input and checked with the contract's own schema, so the
 * form refuses exactly what the engine would, each message at the field the engine would name
 * ("params.datasets.0", "params.bbox.2"). Pure: tested without a DOM.
 */
import type { z } from 'zod';
import { type Bbox, JobStartInput, type PreseedMode, type RASTER_FORMATS, type RESAMPLINGS } from '../../shared/contract.js';
import { type FieldError, type FieldErrors, errorsFromIssues, fieldOf } from '../forms/field-errors.js';

export type PreseedKind = 'raster' | 'vector';
export type RasterFormat = (typeof RASTER_FORMATS)[number];
export type Resampling = (typeof RESAMPLINGS)[number];

/** Which attributes a layer keeps: all of them (absent), none (empty list), or the listed ones. */
export interface AttributeChoice {
  keep: 'all' | 'none' | 'only';
  /** Comma-separated names, for `only`. */
  list: string;
}

/** Fields both forms have: where, which zooms, what to do with existing tiles, into what. */
export interface CommonForm {
  minZoom: string;
  maxZoom: string;
  /** West, south, east, north as typed (or drawn); all empty: no box. */
  bbox: [string, string, string, string];
  coverage: string;
  mode: PreseedMode;
  /** A `datetime-local` value (local time), for mode refresh. */
  olderThan: string;
  /** null: follows the default (`<dataDir>/caches/<name>.mbtiles`) until the operator types one. */
  output: string | null;
  title: string;
  /** The job's name in the queue; the engine names it after the output when empty. */
  name: string;
  priority: string;
}

export interface RasterForm extends CommonForm {
  datasets: string[];
  tileSize: 256 | 512;
  format: RasterFormat;
  quality: string;
  pngPalette: boolean;
  resampling: Resampling;
  scaleMode: 'auto' | 'range';
  scaleMin: string;
  scaleMax: string;
}

export interface LayerForm {
  name: string;
  as: string;
  attributes: AttributeChoice;
  minZoom: string;
  maxZoom: string;
}

export interface VectorForm extends CommonForm {
  sources: string[];
  /** Empty: every layer of every source. */
  layers: LayerForm[];
  attributes: AttributeChoice;
  extent: string;
  buffer: string;
  tolerance: string;
  /** The tile size limit in KiB (the contract counts bytes). */
  maxTileKiB: string;
  thin: boolean;
  /** The CRS for source layers that name none ("EPSG:27700"); empty: such a layer fails NO_GEOREFERENCE. */
  assignCrs: string;
}

const COMMON_DEFAULTS: CommonForm = {
  minZoom: '',
  maxZoom: '',
  bbox: ['', '', '', ''],
  coverage: '',
  mode: 'resume',
  olderThan: '',
  output: null,
  title: '',
  name: '',
  priority: '0',
};

/** A blank raster form with the contract's defaults (256 px PNG, average resampling, auto scale). */
export function emptyRasterForm(): RasterForm {
  return {
    ...COMMON_DEFAULTS,
    bbox: ['', '', '', ''],
    datasets: [''],
    tileSize: 256,
    format: 'png',
    quality: '85',
    pngPalette: false,
    resampling: 'average',
    scaleMode: 'auto',
    scaleMin: '',
    scaleMax: '',
  };
}

/** A blank vector form with the contract's defaults (extent 4096, buffer 64, tolerance 3, 500 KiB). */
export function emptyVectorForm(): VectorForm {
  return {
    ...COMMON_DEFAULTS,
    bbox: ['', '', '', ''],
    sources: [''],
    layers: [],
    attributes: { keep: 'all', list: '' },
    extent: '4096',
    buffer: '64',
    tolerance: '3',
    maxTileKiB: '500',
    thin: false,
    assignCrs: '',
  };
}

export function emptyLayer(): LayerForm {
  return { name: '', as: '', attributes: { keep: 'all', list: '' }, minZoom: '', maxZoom: '' };
}

// -----------------------------------------------------------------------------------------------
// Output path

/** What an output path makes, as the engine decides it (main/tile-cache/tile-writer.ts). */
export type OutputKind = 'mbtiles' | 'pmtiles' | 'directory';

export function outputKindOf(path: string): OutputKind {
  const lower = path.trim().toLowerCase();
  if (lower.endsWith('.mbtiles')) return 'mbtiles';
  if (lower.endsWith('.pmtiles')) return 'pmtiles';
  return 'directory';
}

export const OUTPUT_KIND_LABELS: Record<OutputKind, string> = {
  mbtiles: 'MBTiles (one SQLite file)',
  pmtiles: 'PMTiles archive (written at the end)',
  directory: 'z/x/y tile folder',
};

/** The last part of a path without its extension, safe as a file name ("N57E011" for ".../N57E011.hgt"). */
export function baseName(path: string): string {
  const last = path.trim().split(/[\\/]/).filter(Boolean).pop() ?? '';
  const stem = last.includes('.') ? last.slice(0, last.lastIndexOf('.')) : last;
  return stem.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * `<dataDir>/caches/<name>.mbtiles`, the name taken from the first input; '' while the data
 * directory is not known. The separator follows the data directory's (Windows paths use `\`).
 */
export function defaultOutput(kind: PreseedKind, firstInput: string, dataDir: string | undefined): string {
  if (dataDir === undefined || dataDir === '') return '';
  const sep = dataDir.includes('\\') && !dataDir.includes('/') ? '\\' : '/';
  const dir = dataDir.replace(/[\\/]+$/, '');
  const name = baseName(firstInput) || `${kind}-preseed`;
  return `${dir}${sep}caches${sep}${name}.mbtiles`;
}

/** The output the form stands for: what was typed, or the default. */
export function outputPath(kind: PreseedKind, form: RasterForm | VectorForm, dataDir: string | undefined): string {
  if (form.output !== null) return form.output;
  return defaultOutput(kind, (kind === 'raster' ? (form as RasterForm).datasets : (form as VectorForm).sources)[0] ?? '', dataDir);
}

// -----------------------------------------------------------------------------------------------
// Form → jobs.start input

/** A required number field: NaN when empty or not a number, which the schema then refuses. */
function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** An optional number field: absent when empty. */
function optionalNum(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

function optionalText(text: string): string | undefined {
  return text.trim() === '' ? undefined : text.trim();
}

/** The bbox as typed: absent when all four fields are empty, else four numbers (NaN for a blank one). */
function bboxParam(fields: CommonForm['bbox']): Bbox | undefined {
  if (fields.every((f) => f.trim() === '')) return undefined;
  return fields.map(num) as Bbox;
}

/** A usable box from the four fields (for the map), or null while they do not make one. */
export function bboxOf(fields: CommonForm['bbox']): Bbox | null {
  const b = fields.map(num);
  if (b.some((v) => !Number.isFinite(v))) return null;
  const [w, s, e, n] = b as Bbox;
  if (w < -180 || e > 180 || s < -90 || n > 90 || w >= e || s >= n) return null;
  return [w, s, e, n];
}

/** A `datetime-local` value as the ISO instant the contract wants; anything else is sent as typed, for the schema to refuse. */
export function isoFromLocal(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function attributesParam(choice: AttributeChoice): string[] | undefined {
  if (choice.keep === 'all') return undefined;
  if (choice.keep === 'none') return [];
  return splitList(choice.list);
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

function commonParams(kind: PreseedKind, form: RasterForm | VectorForm, dataDir: string | undefined) {
  const bbox = bboxParam(form.bbox);
  const coverage = optionalText(form.coverage);
  const title = optionalText(form.title);
  return {
    minZoom: num(form.minZoom),
    maxZoom: num(form.maxZoom),
    ...(bbox === undefined ? {} : { bbox }),
    ...(coverage === undefined ? {} : { coverage }),
    mode: form.mode,
    ...(form.mode === 'refresh' && form.olderThan.trim() !== '' ? { olderThan: isoFromLocal(form.olderThan) } : {}),
    output: outputPath(kind, form, dataDir).trim(),
    ...(title === undefined ? {} : { title }),
  };
}

function jobFields(form: CommonForm): { name?: string; priority?: number } {
  const name = optionalText(form.name);
  const priority = optionalNum(form.priority);
  return { ...(name === undefined ? {} : { name }), ...(priority === undefined ? {} : { priority }) };
}

/** The jobs.start input for a raster form (also what jobs.estimate gets, without name and priority). */
export function rasterInput(form: RasterForm, dataDir: string | undefined): JobStartInput {
  const usesQuality = form.format !== 'png';
  return {
    kind: 'preseed-raster',
    params: {
      ...commonParams('raster', form, dataDir),
      datasets: form.datasets.map((d) => d.trim()),
      tileSize: form.tileSize,
      format: form.format,
      ...(usesQuality ? { quality: num(form.quality) } : {}),
      ...(form.format === 'png' ? { pngPalette: form.pngPalette } : {}),
      resampling: form.resampling,
      scale: form.scaleMode === 'auto' ? 'auto' : [num(form.scaleMin), num(form.scaleMax)],
    },
    ...jobFields(form),
  };
}

export function vectorInput(form: VectorForm, dataDir: string | undefined): JobStartInput {
  const attributes = attributesParam(form.attributes);
  const maxTileKiB = num(form.maxTileKiB);
  return {
    kind: 'preseed-vector',
    params: {
      ...commonParams('vector', form, dataDir),
      sources: form.sources.map((s) => s.trim()),
      ...(form.layers.length === 0
        ? {}
        : {
            layers: form.layers.map((l) => {
              const as = optionalText(l.as);
              const attrs = attributesParam(l.attributes);
              const minZoom = optionalNum(l.minZoom);
              const maxZoom = optionalNum(l.maxZoom);
              return {
                name: l.name.trim(),
                ...(as === undefined ? {} : { as }),
                ...(attrs === undefined ? {} : { attributes: attrs }),
                ...(minZoom === undefined ? {} : { minZoom }),
                ...(maxZoom === undefined ? {} : { maxZoom }),
              };
            }),
          }),
      ...(attributes === undefined ? {} : { attributes }),
      extent: num(form.extent),
      buffer: num(form.buffer),
      tolerance: num(form.tolerance),
      // KiB as typed; a fraction of a byte would be refused as "not a whole number", which nobody typed.
      maxTileBytes: Number.isFinite(maxTileKiB) ? Math.round(maxTileKiB * 1024) : maxTileKiB,
      thin: form.thin,
      ...(form.assignCrs.trim() === '' ? {} : { assignCrs: form.assignCrs.trim() }),
    },
    ...jobFields(form),
  };
}

export function startInput(kind: PreseedKind, form: RasterForm | VectorForm, dataDir: string | undefined): JobStartInput {
  return kind === 'raster' ? rasterInput(form as RasterForm, dataDir) : vectorInput(form as VectorForm, dataDir);
}

// -----------------------------------------------------------------------------------------------
// Validation

type Issue = z.core.$ZodIssue;

/** The schema's refinements in an operator's words (they are written for the API's callers). */
const REFINEMENTS: Record<string, string> = {
  'minZoom must not be greater than maxZoom': 'The first zoom must not be greater than the last',
  'mode refresh needs olderThan': 'Refresh needs a time: tiles written before it are made again',
  'scale min must be less than max': 'The minimum must be less than the maximum',
  'west must be less than east (a bbox across the antimeridian is two jobs)': 'West must be less than east (a box across the antimeridian is two jobs)',
  'south must be less than north': 'South must be less than north',
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One issue in an operator's words. `field` is its dotted path. */
function sayIssue(issue: Issue, field: string): string {
  switch (issue.code) {
    case 'too_small':
      if (field === 'params.maxTileBytes') return `Must be at least ${Number(issue.minimum) / 1024} KiB`;
      // The contract names its empty paths ("dataset path is empty"); other empty texts are just required.
      if (issue.origin === 'string') return /empty/.test(issue.message) ? capitalise(issue.message) : 'Required';
      if (issue.origin === 'array') return capitalise(issue.message);
      return issue.inclusive ? `Must be at least ${issue.minimum}` : `Must be more than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `At most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `At most ${issue.maximum}`;
      return issue.inclusive ? `Must be at most ${issue.maximum}` : `Must be less than ${issue.maximum}`;
    case 'invalid_type':
      return issue.expected === 'int' ? 'Must be a whole number' : issue.expected === 'number' ? 'Enter a number' : capitalise(issue.message);
    case 'invalid_format':
      return issue.format === 'datetime' ? 'Enter a date and time' : capitalise(issue.message);
    case 'invalid_value':
      return `Must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return REFINEMENTS[issue.message] ?? capitalise(issue.message);
  }
}

const isBareValue = (branch: readonly Issue[]) => branch.length === 1 && branch[0]!.code === 'invalid_value' && branch[0]!.path.length === 0;

/**
 * An issue as a field and a message. A union's failure is told as the branch that came closest:
 * a `[min, max]` scale with a blank minimum is "Enter a number" at `params.scale.0`, not
 * "Invalid input" at `params.scale`; a union of literals lists them.
 */
function fieldErrorOf(issue: Issue, path: readonly PropertyKey[]): FieldError {
  const field = fieldOf(path);
  if (issue.code !== 'invalid_union') return { field, message: sayIssue(issue, field) };
  const branches = issue.errors.filter((b) => b.length > 0);
  if (branches.length === 0) return { field, message: capitalise(issue.message) };
  if (branches.every(isBareValue)) {
    const values = branches.flatMap((b) => (b[0]!.code === 'invalid_value' ? b[0]!.values : []));
    return { field, message: `Must be one of ${values.map(String).join(', ')}` };
  }
  const inner = (branches.find((b) => !isBareValue(b)) ?? branches[0]!)[0]!;
  return fieldErrorOf(inner, [...path, ...inner.path]);
}

/** The schema's verdict on `input` by field; empty when the engine would accept it. */
export function schemaErrors(input: JobStartInput): FieldErrors {
  const result = JobStartInput.safeParse(input);
  return result.success ? {} : errorsFromIssues(result.error.issues, (issue) => fieldErrorOf(issue, issue.path));
}

/**
 * What the schema cannot see or does not say yet: its cross-field checks only run once every
 * field parses (so a reversed zoom range would otherwise hide behind a blank dataset), and an
 * "only these attributes" with no names would silently mean none.
 */
function formErrors(kind: PreseedKind, form: RasterForm | VectorForm): FieldErrors {
  const errors: FieldErrors = {};
  const min = num(form.minZoom);
  const max = num(form.maxZoom);
  if (Number.isFinite(min) && Number.isFinite(max) && min > max) errors['params.minZoom'] = REFINEMENTS['minZoom must not be greater than maxZoom']!;
  if (form.mode === 'refresh' && form.olderThan.trim() === '') errors['params.olderThan'] = REFINEMENTS['mode refresh needs olderThan']!;
  if (kind === 'raster') {
    const r = form as RasterForm;
    const lo = num(r.scaleMin);
    const hi = num(r.scaleMax);
    if (r.scaleMode === 'range' && Number.isFinite(lo) && Number.isFinite(hi) && lo >= hi)
      errors['params.scale'] = REFINEMENTS['scale min must be less than max']!;
  } else {
    const v = form as VectorForm;
    const noNames = 'Name the attributes to keep, or choose “none”';
    if (v.attributes.keep === 'only' && splitList(v.attributes.list).length === 0) errors['params.attributes'] = noNames;
    v.layers.forEach((l, i) => {
      if (l.attributes.keep === 'only' && splitList(l.attributes.list).length === 0) errors[`params.layers.${i}.attributes`] = noNames;
      const lmin = optionalNum(l.minZoom);
      const lmax = optionalNum(l.maxZoom);
      if (lmin !== undefined && lmax !== undefined && lmin > lmax)
        errors[`params.layers.${i}.minZoom`] = REFINEMENTS['minZoom must not be greater than maxZoom']!;
    });
  }
  return errors;
}

/** Every error of the form, by field: the schema's, then the form's own checks where the schema said nothing. */
export function validateForm(kind: PreseedKind, form: RasterForm | VectorForm, input: JobStartInput): FieldErrors {
  return { ...formErrors(kind, form), ...schemaErrors(input) };
}
