/**
 * The preseed screen (`#/preseed`, `#/preseed/raster`, `#/preseed/vector`): a launch form for
 * raster and one for vector tiles, built on the contract's RasterPreseedParams and
 * VectorPreseedParams, with the dry run beside it and Start under the dry run.
 *
 * The form is checked with the contract's own schema as it is typed (preseed-form.ts); once it
 * passes, it is estimated (use-estimate.ts), and a refusal from the engine, at the estimate or at
 * the start, lands next to the field it names, as in the settings form. Paths are typed (the
 * browser host has no file picker), with the catalogue's datasets and recent paths suggested.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ClipboardEvent, type FormEvent, type KeyboardEvent, type ReactNode, useMemo, useState } from 'react';
import { type Bbox, type JobStartInput, PRESEED_MODES, type PreseedMode, RASTER_FORMATS, RESAMPLINGS } from '../../shared/contract.js';
import { jobKey } from '../job-detail/job-queries.js';
import { serverFieldErrors } from '../settings/settings-form.js';
import { useUi } from '../ui-store.js';
import { EstimatePanel } from './estimate-panel.js';
import { bboxFields } from './extent.js';
import { ExtentMap } from './extent-map.js';
import { Field } from '../shell/field.js';
import {
  type AttributeChoice,
  type CommonForm,
  type FieldErrors,
  type LayerForm,
  OUTPUT_KIND_LABELS,
  type PreseedKind,
  type RasterForm,
  type VectorForm,
  bboxOf,
  emptyLayer,
  firstError,
  inGroup,
  outputKindOf,
  outputPath,
  startInput,
  validateForm,
} from './preseed-form.js';
import { usePreseedDraft } from './preseed-draft.js';
import { recentPaths, rememberPaths } from './recent-paths.js';
import { ESTIMATE_DELAY_MS, useEstimate } from './use-estimate.js';
import './preseed.css';

const KINDS: readonly { kind: PreseedKind; label: string }[] = [
  { kind: 'raster', label: 'Raster' },
  { kind: 'vector', label: 'Vector' },
];

const PATHS_LIST = 'preseed-paths';
const LAYERS_LIST = 'preseed-layer-names';

export interface PreseedViewProps {
  /** The tab the route names; the tab used last when absent. */
  kind?: PreseedKind;
  /** How long the form must be still before it is estimated (tests shorten it). */
  estimateDelayMs?: number;
}

/** The preseed screen: the two forms as tabs. */
export function PreseedView({ kind, estimateDelayMs = ESTIMATE_DELAY_MS }: PreseedViewProps) {
  const lastKind = usePreseedDraft((s) => s.lastKind);
  const shown = kind ?? lastKind;
  const navigate = useUi((s) => s.navigate);
  const choose = (next: PreseedKind) => {
    usePreseedDraft.getState().setLastKind(next);
    navigate({ name: 'preseed', kind: next });
  };
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab moves into the panel.
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const next = e.key === 'Home' ? 'raster' : e.key === 'End' ? 'vector' : shown === 'raster' ? 'vector' : 'raster';
    choose(next);
    document.getElementById(`preseed-tab-${next}`)?.focus();
  };
  return (
    <section className="preseed-view" aria-labelledby="preseed-title">
      <div className="preseed-head">
        <h2 id="preseed-title">Preseed a tile cache</h2>
        <div role="tablist" aria-label="Kind of tiles" className="preseed-tabs">
          {KINDS.map((k) => (
            <button
              key={k.kind}
              id={`preseed-tab-${k.kind}`}
              type="button"
              role="tab"
              aria-selected={shown === k.kind}
              // Only the chosen tab's panel is on the page.
              aria-controls={shown === k.kind ? `preseed-panel-${k.kind}` : undefined}
              tabIndex={shown === k.kind ? 0 : -1}
              onClick={() => choose(k.kind)}
              onKeyDown={onTabKey}
            >
              {k.label}
            </button>
          ))}
        </div>
        <p className="muted small">
          {shown === 'raster' ? 'GDAL rasters (any CRS) to PNG, JPEG or WebP tiles.' : 'OGR sources (any CRS) to Mapbox Vector Tiles.'} One job item per dataset.
        </p>
      </div>
      <div role="tabpanel" id={`preseed-panel-${shown}`} aria-labelledby={`preseed-tab-${shown}`}>
        <PreseedForm key={shown} kind={shown} estimateDelayMs={estimateDelayMs} />
      </div>
    </section>
  );
}

/** The text after "Bbox error at params.bbox.1": which of the four fields it is. */
const PART_NAMES: Record<string, string[]> = { 'params.bbox': ['West', 'South', 'East', 'North'], 'params.scale': ['Minimum', 'Maximum'] };

function PreseedForm({ kind, estimateDelayMs }: { kind: PreseedKind; estimateDelayMs: number }) {
  const queryClient = useQueryClient();
  const draft = usePreseedDraft((s) => (kind === 'raster' ? s.raster : s.vector));
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => window.tessera.app.info({}), staleTime: Infinity });
  const catalog = useQuery({
    queryKey: ['catalog.list', kind],
    queryFn: () => window.tessera.catalog.list({ kind, limit: 500 }),
    staleTime: 60_000,
    retry: false,
  });
  const dataDir = info.data?.dataDir;

  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [recent, setRecent] = useState(recentPaths);

  const input = useMemo(() => startInput(kind, draft, dataDir), [kind, draft, dataDir]);
  const clientErrors = useMemo(() => validateForm(kind, draft, input), [kind, draft, input]);
  const valid = Object.keys(clientErrors).length === 0 && dataDir !== undefined;
  const estimate = useEstimate(valid ? input : null, estimateDelayMs);
  const estimateErrors = (!estimate.outdated && serverFieldErrors(estimate.error)) || {};
  const current = estimate.outdated ? undefined : estimate.data;
  const blocked = current?.storage.problem != null;

  /** What shows: the engine's word (start, then estimate) always, the form's own once touched or tried. */
  const visible: FieldErrors = {};
  for (const [field, message] of Object.entries(clientErrors)) {
    if (tried || [...touched].some((g) => inGroup(field, g) || inGroup(g, field))) visible[field] = message;
  }
  Object.assign(visible, estimateErrors, serverErrors);

  const errorFor = (...groups: string[]): string | undefined => {
    const e = firstError(visible, groups);
    if (e === null) return undefined;
    const part = Object.entries(PART_NAMES).find(([g]) => e.field.startsWith(`${g}.`));
    return part ? `${part[1][Number(e.field.slice(part[0].length + 1))] ?? e.field}: ${e.message}` : e.message;
  };
  const invalid = (field: string) => Object.keys(visible).some((f) => inGroup(f, field) || inGroup(field, f));

  const setForm = (next: RasterForm | VectorForm) => {
    if (kind === 'raster') usePreseedDraft.getState().setRaster(next as RasterForm);
    else usePreseedDraft.getState().setVector(next as VectorForm);
  };
  /** Applies a change, marks its fields touched, and drops the engine's errors about them. */
  const edit = (change: Partial<RasterForm> | Partial<VectorForm>, groups: string[]) => {
    setForm({ ...draft, ...change } as RasterForm | VectorForm);
    setTouched((prev) => new Set([...prev, ...groups]));
    if (Object.keys(serverErrors).some((f) => groups.some((g) => inGroup(f, g)))) {
      setServerErrors(Object.fromEntries(Object.entries(serverErrors).filter(([f]) => !groups.some((g) => inGroup(f, g)))));
    }
  };

  const start = useMutation({
    mutationFn: (job: JobStartInput) => window.tessera.jobs.start(job),
    onSuccess: (job, sent) => {
      const p = sent.params as { datasets?: string[]; sources?: string[]; coverage?: string; output: string };
      setRecent(rememberPaths([...(p.datasets ?? p.sources ?? []), ...(p.coverage ? [p.coverage] : []), p.output]));
      queryClient.setQueryData(jobKey(job.id), job);
      useUi.getState().navigate({ name: 'job', jobId: job.id });
    },
    onError: (error) => setServerErrors(serverFieldErrors(error) ?? {}),
  });
  const startOther = start.error && !serverFieldErrors(start.error) ? start.error : null;

  const formId = `preseed-form-${kind}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!valid) {
      // The first field in the page with an error (the errors of a submit show all at once).
      const fields = [...document.querySelectorAll<HTMLElement>(`#${formId} [data-field]`)];
      fields.find((el) => Object.keys(clientErrors).some((f) => inGroup(f, el.dataset.field!) || inGroup(el.dataset.field!, f)))?.focus();
      return;
    }
    if (blocked) return;
    setServerErrors({});
    start.mutate(input);
  };

  const output = outputPath(kind, draft, dataDir);
  const outputKind = outputKindOf(output);
  const bbox = bboxOf(draft.bbox);
  const dataBounds = (current?.datasets ?? []).flatMap((d) => (d.bounds ? [d.bounds] : []));
  const inputs = kind === 'raster' ? (draft as RasterForm).datasets : (draft as VectorForm).sources;
  const catalogData = catalog.data?.rows ?? [];

  const common = {
    form: draft,
    edit,
    errorFor,
    invalid,
  };

  return (
    <div className="preseed-layout">
      <form id={formId} onSubmit={submit} noValidate aria-label={kind === 'raster' ? 'Raster preseed' : 'Vector preseed'}>
        <datalist id={PATHS_LIST}>
          {catalogData.map((d) => (
            <option key={`c${d.id}`} value={d.path}>
              {d.name} (catalogue)
            </option>
          ))}
          {recent.map((p) => (
            <option key={`r${p}`} value={p} />
          ))}
        </datalist>
        {kind === 'raster' ? (
          <RasterFields {...common} form={draft as RasterForm} verdicts={current?.datasets} />
        ) : (
          <VectorFields {...common} form={draft as VectorForm} verdicts={current?.datasets} catalog={catalogData} />
        )}

        <fieldset>
          <legend>Extent</legend>
          <p className="muted small fieldset-note">Tiles are made only where the data, the box and the coverage all overlap; with neither, over the data’s whole extent.</p>
          <BboxField {...common} bbox={bbox} dataBounds={dataBounds} />
          <Field label="Coverage file" error={errorFor('params.coverage')} help="Polygons (GeoJSON or any OGR source, any CRS): only tiles touching them are made.">
            {(id, describedBy, bad) => (
              <input
                id={id}
                data-field="params.coverage"
                aria-describedby={describedBy}
                aria-invalid={bad}
                className="wide"
                list={PATHS_LIST}
                spellCheck={false}
                placeholder="none"
                value={draft.coverage}
                onChange={(e) => edit({ coverage: e.currentTarget.value }, ['params.coverage'])}
              />
            )}
          </Field>
        </fieldset>

        <ModeFields {...common} />

        <fieldset>
          <legend>Output</legend>
          <Field
            label="Output"
            error={errorFor('params.output')}
            help={
              <>
                <span data-testid="output-kind">Makes: {OUTPUT_KIND_LABELS[outputKind]}</span>. <code>.mbtiles</code> or <code>.pmtiles</code> picks that format; any other path is a tile folder.
                {draft.output === null ? ' The default is in the data directory’s caches folder, named after the first dataset.' : ''}
              </>
            }
          >
            {(id, describedBy, bad) => (
              <div className="path-row">
                <input
                  id={id}
                  data-field="params.output"
                  aria-describedby={describedBy}
                  aria-invalid={bad}
                  className="wide"
                  list={PATHS_LIST}
                  spellCheck={false}
                  value={output}
                  placeholder={dataDir === undefined ? 'loading the data directory…' : undefined}
                  onChange={(e) => edit({ output: e.currentTarget.value }, ['params.output'])}
                />
                {draft.output !== null && (
                  <button type="button" onClick={() => edit({ output: null }, ['params.output'])}>
                    Use the default
                  </button>
                )}
              </div>
            )}
          </Field>
          <Field label="Title" error={errorFor('params.title')} help="The tileset’s name in the output’s metadata; the file’s name when empty.">
            {(id, describedBy, bad) => (
              <input id={id} data-field="params.title" aria-describedby={describedBy} aria-invalid={bad} className="wide" value={draft.title} onChange={(e) => edit({ title: e.currentTarget.value }, ['params.title'])} />
            )}
          </Field>
        </fieldset>

        <fieldset>
          <legend>Job</legend>
          <Field label="Name" error={errorFor('name')} help="How the job shows in the queue; named after the output when empty.">
            {(id, describedBy, bad) => (
              <input id={id} data-field="name" aria-describedby={describedBy} aria-invalid={bad} className="wide" value={draft.name} onChange={(e) => edit({ name: e.currentTarget.value }, ['name'])} />
            )}
          </Field>
          <Field label="Priority" error={errorFor('priority')} help="−10 to 10; higher starts first among queued jobs.">
            {(id, describedBy, bad) => (
              <input id={id} data-field="priority" aria-describedby={describedBy} aria-invalid={bad} type="number" min={-10} max={10} step={1} className="short" value={draft.priority} onChange={(e) => edit({ priority: e.currentTarget.value }, ['priority'])} />
            )}
          </Field>
        </fieldset>
      </form>

      <aside className="preseed-side">
        <EstimatePanel
          estimate={estimate}
          canEstimate={valid}
          onEstimate={() => {
            if (valid) estimate.now();
            else setTried(true);
          }}
        />
        <div className="form-actions">
          <button type="submit" form={formId} className="primary" disabled={start.isPending || blocked} data-testid="start">
            {start.isPending ? 'Starting…' : 'Start preseed'}
          </button>
          <button
            type="button"
            onClick={() => {
              usePreseedDraft.getState().clear(kind);
              setTouched(new Set());
              setTried(false);
              setServerErrors({});
              start.reset();
            }}
          >
            Clear the form
          </button>
        </div>
        {blocked && <p className="muted small">Start is off while the dry run says the job does not fit.</p>}
        {tried && !valid && Object.keys(clientErrors).length > 0 && (
          <p className="error" role="alert">
            Nothing was started: fix the fields marked in the form.
          </p>
        )}
        {startOther && (
          <p className="error" role="alert" data-testid="start-error">
            Could not start: {startOther.message}
          </p>
        )}
        {inputs.length > 0 && <p className="muted small">Each {kind === 'raster' ? 'dataset' : 'source'} is one item of the job: one that fails does not stop the others.</p>}
      </aside>
    </div>
  );
}

// -----------------------------------------------------------------------------------------------
// Parts of the forms

type Edit = (change: Partial<RasterForm> | Partial<VectorForm>, groups: string[]) => void;
type DatasetVerdicts = { path: string; error: { code: string; message: string } | null }[] | undefined;

interface PartProps<F extends CommonForm> {
  form: F;
  edit: Edit;
  errorFor: (...groups: string[]) => string | undefined;
  invalid: (field: string) => boolean;
}

/**
 * The list of input paths (datasets or sources), one field each so the engine's error for
 * `params.datasets.2` lands on the third; pasting several lines makes several rows.
 */
function PathList({ field, noun, paths, onChange, errorFor, invalid, verdicts }: { field: 'params.datasets' | 'params.sources'; noun: string; paths: string[]; onChange: (paths: string[], groups: string[]) => void; errorFor: PartProps<CommonForm>['errorFor']; invalid: PartProps<CommonForm>['invalid']; verdicts: DatasetVerdicts }) {
  const set = (i: number, value: string) => onChange(paths.map((p, j) => (j === i ? value : p)), [`${field}.${i}`]);
  const onPaste = (i: number, e: ClipboardEvent<HTMLInputElement>) => {
    const lines = e.clipboardData.getData('text').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    if (lines.length < 2) return;
    e.preventDefault();
    onChange([...paths.slice(0, i), ...lines, ...paths.slice(i + 1)], [field]);
  };
  return (
    <ol className="path-list">
      {paths.map((p, i) => {
        const name = `${field}.${i}`;
        const error = errorFor(name) ?? (i === 0 ? errorFor(field) : undefined);
        const verdict = verdicts?.[i]?.path === p.trim() ? verdicts[i]!.error : null;
        return (
          <li key={i} className={error ? 'has-error' : undefined}>
            <div className="path-row">
              <input
                data-field={name}
                aria-label={`${noun} ${i + 1}`}
                aria-invalid={invalid(name)}
                aria-describedby={error ? `${name}-error` : verdict ? `${name}-verdict` : undefined}
                className="wide"
                list={PATHS_LIST}
                spellCheck={false}
                placeholder={i === 0 ? `/path/to/${noun === 'Dataset' ? 'dem.tif' : 'countries.gpkg'}` : undefined}
                value={p}
                onChange={(e) => set(i, e.currentTarget.value)}
                onPaste={(e) => onPaste(i, e)}
              />
              <button type="button" aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`} title="Remove" disabled={paths.length === 1} onClick={() => onChange(paths.filter((_, j) => j !== i), [field])}>
                ×
              </button>
            </div>
            {error && (
              <div id={`${name}-error`} className="field-error" role="alert">
                {error}
              </div>
            )}
            {!error && verdict && (
              <div id={`${name}-verdict`} className="field-warning small">
                <code>{verdict.code}</code> {verdict.message}
              </div>
            )}
          </li>
        );
      })}
      <li>
        <button type="button" onClick={() => onChange([...paths, ''], [])}>
          Add {noun.toLowerCase()}
        </button>{' '}
        <span className="muted small">or paste several paths, one per line</span>
      </li>
    </ol>
  );
}

function ZoomField({ form, edit, errorFor, invalid }: PartProps<CommonForm>) {
  // Each end is touched on its own: typing the last zoom first must not call the empty first one wrong.
  // A reversed range is reported at the first zoom, which was typed (touched) for it to be reversed.
  return (
    <Field group label="Zoom levels" error={errorFor('params.minZoom', 'params.maxZoom')} help="0 to 30; every level from the first to the last is made.">
      {(_id, describedBy) => (
        <div className="choice">
          <label>
            from <input data-field="params.minZoom" aria-describedby={describedBy} aria-invalid={invalid('params.minZoom')} type="number" min={0} max={30} step={1} className="tiny" value={form.minZoom} onChange={(e) => edit({ minZoom: e.currentTarget.value }, ['params.minZoom'])} />
          </label>
          <label>
            to <input data-field="params.maxZoom" aria-describedby={describedBy} aria-invalid={invalid('params.maxZoom')} type="number" min={0} max={30} step={1} className="tiny" value={form.maxZoom} onChange={(e) => edit({ maxZoom: e.currentTarget.value }, ['params.maxZoom'])} />
          </label>
        </div>
      )}
    </Field>
  );
}

function BboxField({ form, edit, errorFor, invalid, bbox, dataBounds }: PartProps<CommonForm> & { bbox: Bbox | null; dataBounds: Bbox[] }) {
  const names = ['West', 'South', 'East', 'North'] as const;
  const setPart = (i: number, value: string) => edit({ bbox: form.bbox.map((v, j) => (j === i ? value : v)) as CommonForm['bbox'] }, ['params.bbox']);
  const empty = form.bbox.every((v) => v.trim() === '');
  return (
    <Field group label="Box" error={errorFor('params.bbox')} help="WGS84 degrees. Type it, or draw it on the map: shift-drag, or press “Draw a box” and drag.">
      {(_id, describedBy) => (
        <div className="bbox-field">
          <div className="bbox-inputs">
            {names.map((name, i) => (
              <label key={name}>
                <span className="small muted">{name}</span>
                <input
                  data-field={`params.bbox.${i}`}
                  aria-describedby={describedBy}
                  aria-invalid={invalid(`params.bbox.${i}`) || (i === 0 && invalid('params.bbox'))}
                  type="number"
                  step="any"
                  min={i % 2 === 0 ? -180 : -90}
                  max={i % 2 === 0 ? 180 : 90}
                  className="coord"
                  value={form.bbox[i]}
                  onChange={(e) => setPart(i, e.currentTarget.value)}
                />
              </label>
            ))}
            <button type="button" disabled={empty} onClick={() => edit({ bbox: ['', '', '', ''] }, ['params.bbox'])}>
              Clear the box
            </button>
          </div>
          <ExtentMap bbox={bbox} dataBounds={dataBounds} onBox={(b) => edit({ bbox: bboxFields(b) }, ['params.bbox'])} />
        </div>
      )}
    </Field>
  );
}

const MODE_TEXT: Record<PreseedMode, string> = {
  resume: 'keep tiles already there (an interrupted or extended seed adds only what is missing)',
  overwrite: 'make every tile again',
  refresh: 'make again the tiles written before',
};

function ModeFields({ form, edit, errorFor, invalid }: PartProps<CommonForm>) {
  const groups = ['params.mode', 'params.olderThan'];
  return (
    <fieldset>
      <legend>Tiles the output already has</legend>
      <Field group label="Mode" error={errorFor(...groups)}>
        {(_id, describedBy) => (
          <div className="modes" role="radiogroup" aria-label="Mode">
            {PRESEED_MODES.map((mode) => (
              <label key={mode} className="mode">
                <input type="radio" name="mode" value={mode} data-field={mode === 'resume' ? 'params.mode' : undefined} checked={form.mode === mode} onChange={() => edit({ mode }, groups)} />
                <span>
                  <strong>{mode}</strong>: {MODE_TEXT[mode]}
                </span>
                {mode === 'refresh' && (
                  <input
                    type="datetime-local"
                    aria-label="Refresh tiles written before"
                    data-field="params.olderThan"
                    aria-describedby={describedBy}
                    aria-invalid={invalid('params.olderThan')}
                    disabled={form.mode !== 'refresh'}
                    value={form.olderThan}
                    onChange={(e) => edit({ olderThan: e.currentTarget.value }, groups)}
                  />
                )}
              </label>
            ))}
          </div>
        )}
      </Field>
    </fieldset>
  );
}

function RasterFields({ form, edit, errorFor, invalid, verdicts }: PartProps<RasterForm> & { verdicts: DatasetVerdicts }) {
  const usesQuality = form.format !== 'png';
  return (
    <>
      <fieldset>
        <legend>Datasets</legend>
        <p className="muted small fieldset-note">GeoTIFF, COG, VRT or anything GDAL opens, in any CRS: paths on the engine’s machine, or datasets from the catalogue.</p>
        <PathList field="params.datasets" noun="Dataset" paths={form.datasets} onChange={(datasets, groups) => edit({ datasets }, groups)} errorFor={errorFor} invalid={invalid} verdicts={verdicts} />
      </fieldset>
      <fieldset>
        <legend>Tiles</legend>
        <ZoomField form={form} edit={edit} errorFor={errorFor} invalid={invalid} />
        <Field group label="Tile size" error={errorFor('params.tileSize')}>
          {() => (
            <div className="choice" role="radiogroup" aria-label="Tile size">
              {([256, 512] as const).map((size) => (
                <label key={size}>
                  <input type="radio" name="tileSize" data-field={size === 256 ? 'params.tileSize' : undefined} checked={form.tileSize === size} onChange={() => edit({ tileSize: size }, ['params.tileSize'])} /> {size} px
                </label>
              ))}
            </div>
          )}
        </Field>
        <Field group label="Format" error={errorFor('params.format', 'params.quality', 'params.pngPalette')} help={usesQuality ? 'Quality 1–100: lower is smaller.' : 'PNG is lossless; a palette of at most 256 colours makes much smaller files.'}>
          {(_id, describedBy) => (
            <div className="choice">
              <select aria-label="Image format" data-field="params.format" value={form.format} onChange={(e) => edit({ format: e.currentTarget.value as RasterForm['format'] }, ['params.format', 'params.quality', 'params.pngPalette'])}>
                {RASTER_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {f.toUpperCase()}
                  </option>
                ))}
              </select>
              {usesQuality ? (
                <label>
                  quality{' '}
                  <input data-field="params.quality" aria-describedby={describedBy} aria-invalid={invalid('params.quality')} type="number" min={1} max={100} step={1} className="tiny" value={form.quality} onChange={(e) => edit({ quality: e.currentTarget.value }, ['params.quality'])} />
                </label>
              ) : (
                <label>
                  <input type="checkbox" data-field="params.pngPalette" checked={form.pngPalette} onChange={(e) => edit({ pngPalette: e.currentTarget.checked }, ['params.pngPalette'])} /> palette (≤ 256 colours)
                </label>
              )}
            </div>
          )}
        </Field>
        <Field label="Resampling" error={errorFor('params.resampling')} help="How source pixels become tile pixels; average suits imagery and DEMs at lower zooms.">
          {(id, describedBy) => (
            <select id={id} data-field="params.resampling" aria-describedby={describedBy} value={form.resampling} onChange={(e) => edit({ resampling: e.currentTarget.value as RasterForm['resampling'] }, ['params.resampling'])}>
              {RESAMPLINGS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field group label="Scaling to 8 bits" error={errorFor('params.scale')} help="For 16-bit and float data (DEMs, scientific rasters); 8-bit data is never scaled.">
          {(_id, describedBy) => (
            <div className="choice" role="radiogroup" aria-label="Scaling to 8 bits">
              <label>
                <input type="radio" name="scaleMode" data-field="params.scale" checked={form.scaleMode === 'auto'} onChange={() => edit({ scaleMode: 'auto' }, ['params.scale'])} /> each band’s min–max
              </label>
              <label>
                <input type="radio" name="scaleMode" checked={form.scaleMode === 'range'} onChange={() => edit({ scaleMode: 'range' }, ['params.scale'])} /> from
              </label>
              <input aria-label="Scale from" data-field="params.scale.0" aria-describedby={describedBy} aria-invalid={invalid('params.scale.0') || invalid('params.scale')} type="number" step="any" className="short" disabled={form.scaleMode !== 'range'} value={form.scaleMin} onChange={(e) => edit({ scaleMin: e.currentTarget.value }, ['params.scale'])} />
              <label>
                to <input aria-label="Scale to" data-field="params.scale.1" aria-describedby={describedBy} aria-invalid={invalid('params.scale.1')} type="number" step="any" className="short" disabled={form.scaleMode !== 'range'} value={form.scaleMax} onChange={(e) => edit({ scaleMax: e.currentTarget.value }, ['params.scale'])} />
              </label>
            </div>
          )}
        </Field>
      </fieldset>
    </>
  );
}

type CatalogRows = { path: string; layers: { name: string; fields: { name: string }[] }[] }[];

function AttributePicker({ label, field, choice, onChange, invalid, fields }: { label: string; field: string; choice: AttributeChoice; onChange: (c: AttributeChoice) => void; invalid: boolean; fields?: string[] }) {
  return (
    <span className="attribute-picker">
      <select aria-label={`${label}: which`} value={choice.keep} onChange={(e) => onChange({ ...choice, keep: e.currentTarget.value as AttributeChoice['keep'] })}>
        <option value="all">all attributes</option>
        <option value="none">no attributes</option>
        <option value="only">only these:</option>
      </select>
      <input
        aria-label={`${label}: names`}
        data-field={field}
        aria-invalid={invalid}
        className="attribute-list"
        spellCheck={false}
        placeholder={fields && fields.length > 0 ? fields.slice(0, 4).join(', ') : 'name, pop_est'}
        disabled={choice.keep !== 'only'}
        value={choice.list}
        onChange={(e) => onChange({ ...choice, list: e.currentTarget.value })}
        title={fields && fields.length > 0 ? `Fields: ${fields.join(', ')}` : undefined}
      />
    </span>
  );
}

function VectorFields({ form, edit, errorFor, invalid, verdicts, catalog }: PartProps<VectorForm> & { verdicts: DatasetVerdicts; catalog: CatalogRows }) {
  // Layer names and their fields, where a source is a catalogue dataset (the engine can list them; a path cannot be read from here).
  const known = catalog.filter((d) => form.sources.some((s) => s.trim() === d.path)).flatMap((d) => d.layers);
  const fieldsOf = (name: string) => known.find((l) => l.name === name.trim())?.fields.map((f) => f.name);
  const setLayer = (i: number, change: Partial<LayerForm>, groups: string[]) => edit({ layers: form.layers.map((l, j) => (j === i ? { ...l, ...change } : l)) }, groups);
  return (
    <>
      <fieldset>
        <legend>Sources</legend>
        <p className="muted small fieldset-note">GeoJSON, GeoPackage, Shapefile, FlatGeobuf, TopoJSON, KML, CSV… in any CRS: paths on the engine’s machine, or datasets from the catalogue.</p>
        <PathList field="params.sources" noun="Source" paths={form.sources} onChange={(sources, groups) => edit({ sources }, groups)} errorFor={errorFor} invalid={invalid} verdicts={verdicts} />
      </fieldset>
      <fieldset>
        <legend>Layers</legend>
        <datalist id={LAYERS_LIST}>
          {known.map((l) => (
            <option key={l.name} value={l.name} />
          ))}
        </datalist>
        {form.layers.length === 0 && <p className="muted small fieldset-note">Every layer of every source, named as in the source. Add a layer to choose layers, rename them, pick their attributes or zooms.</p>}
        {form.layers.map((layer, i) => {
          const base = `params.layers.${i}`;
          const error = errorFor(base);
          return (
            <div key={i} className={`layer-row${error ? ' has-error' : ''}`} role="group" aria-label={`Layer ${i + 1}`}>
              <label>
                Source layer{' '}
                <input data-field={`${base}.name`} aria-invalid={invalid(`${base}.name`)} list={LAYERS_LIST} spellCheck={false} className="layer-name" value={layer.name} onChange={(e) => setLayer(i, { name: e.currentTarget.value }, [`${base}.name`])} />
              </label>
              <label>
                as{' '}
                <input data-field={`${base}.as`} aria-invalid={invalid(`${base}.as`)} spellCheck={false} className="layer-name" placeholder="same name" value={layer.as} onChange={(e) => setLayer(i, { as: e.currentTarget.value }, [`${base}.as`])} />
              </label>
              <AttributePicker label={`Layer ${i + 1} attributes`} field={`${base}.attributes`} choice={layer.attributes} invalid={invalid(`${base}.attributes`)} fields={fieldsOf(layer.name)} onChange={(attributes) => setLayer(i, { attributes }, [`${base}.attributes`])} />
              <label>
                zooms{' '}
                <input aria-label={`Layer ${i + 1} first zoom`} data-field={`${base}.minZoom`} aria-invalid={invalid(`${base}.minZoom`)} type="number" min={0} max={30} step={1} className="tiny" placeholder="all" value={layer.minZoom} onChange={(e) => setLayer(i, { minZoom: e.currentTarget.value }, [`${base}.minZoom`, `${base}.maxZoom`])} />
              </label>
              <label>
                –{' '}
                <input aria-label={`Layer ${i + 1} last zoom`} data-field={`${base}.maxZoom`} aria-invalid={invalid(`${base}.maxZoom`)} type="number" min={0} max={30} step={1} className="tiny" placeholder="all" value={layer.maxZoom} onChange={(e) => setLayer(i, { maxZoom: e.currentTarget.value }, [`${base}.minZoom`, `${base}.maxZoom`])} />
              </label>
              <button type="button" aria-label={`Remove layer ${i + 1}`} title="Remove" onClick={() => edit({ layers: form.layers.filter((_, j) => j !== i) }, ['params.layers'])}>
                ×
              </button>
              {error && (
                <div className="field-error" role="alert">
                  {error}
                </div>
              )}
            </div>
          );
        })}
        <p>
          <button type="button" onClick={() => edit({ layers: [...form.layers, emptyLayer()] }, [])}>
            Add layer
          </button>
        </p>
        <Field group label="Other layers’ attributes" error={errorFor('params.attributes')} help="For layers that do not choose their own.">
          {() => <AttributePicker label="Attributes" field="params.attributes" choice={form.attributes} invalid={invalid('params.attributes')} onChange={(attributes) => edit({ attributes }, ['params.attributes'])} />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Tiles</legend>
        <ZoomField form={form} edit={edit} errorFor={errorFor} invalid={invalid} />
        <NumberField label="Tile extent" field="params.extent" unit="MVT units" help="256 to 16384; 4096 is the common choice." value={form.extent} onChange={(extent) => edit({ extent }, ['params.extent'])} errorFor={errorFor} invalid={invalid} />
        <NumberField label="Buffer" field="params.buffer" unit="MVT units" help="Drawn beyond the tile’s edge so lines and labels join up; 0 to 1024." value={form.buffer} onChange={(buffer) => edit({ buffer }, ['params.buffer'])} errorFor={errorFor} invalid={invalid} />
        <NumberField label="Simplification" field="params.tolerance" unit="" step="any" help="0 to 100 (as geojson-vt’s tolerance); 0 keeps every vertex." value={form.tolerance} onChange={(tolerance) => edit({ tolerance }, ['params.tolerance'])} errorFor={errorFor} invalid={invalid} />
        <Field group label="Tile size limit" error={errorFor('params.maxTileBytes', 'params.thin')} help="A tile over the limit is never dropped or written oversize without a word: it is reported, and thinned if you choose so.">
          {(_id, describedBy) => (
            <>
              <div className="choice">
                <input aria-label="Tile size limit in KiB" data-field="params.maxTileBytes" aria-describedby={describedBy} aria-invalid={invalid('params.maxTileBytes')} type="number" min={1} step="any" className="short" value={form.maxTileKiB} onChange={(e) => edit({ maxTileKiB: e.currentTarget.value }, ['params.maxTileBytes'])} />
                <span>KiB</span>
              </div>
              <div className="modes" role="radiogroup" aria-label="Tiles over the limit">
                <label className="mode">
                  <input type="radio" name="thin" data-field="params.thin" checked={!form.thin} onChange={() => edit({ thin: false }, ['params.thin'])} /> <span>report oversized tiles</span>
                </label>
                <label className="mode">
                  <input type="radio" name="thin" checked={form.thin} onChange={() => edit({ thin: true }, ['params.thin'])} /> <span>thin them until they fit (what is dropped is counted)</span>
                </label>
              </div>
            </>
          )}
        </Field>
      </fieldset>
    </>
  );
}

function NumberField({ label, field, unit, help, value, step, onChange, errorFor, invalid }: { label: string; field: string; unit: string; help: ReactNode; value: string; step?: string; onChange: (v: string) => void; errorFor: PartProps<CommonForm>['errorFor']; invalid: PartProps<CommonForm>['invalid'] }) {
  return (
    <Field label={label} error={errorFor(field)} help={help}>
      {(id, describedBy) => (
        <div className="choice">
          <input id={id} data-field={field} aria-describedby={describedBy} aria-invalid={invalid(field)} type="number" step={step ?? 1} className="short" value={value} onChange={(e) => onChange(e.currentTarget.value)} />
          {unit && <span className="muted small">{unit}</span>}
        </div>
      )}
    </Field>
  );
}
