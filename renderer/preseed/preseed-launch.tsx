/**
 * One preseed form (raster or vector) with its dry run and Start beside it. The draft lives in
 * preseed-draft.ts (so a tab keeps it); its errors in the forms kit: the contract's own verdict as
 * it is typed (preseed-form.ts), and the engine's refusals, at the estimate or at the start, at the
 * field they name.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import type { JobStartInput } from '../../shared/contract.js';
import { useAppInfo } from '../data/app-info.js';
import { seedJob } from '../data/job-queries.js';
import { queryKey } from '../data/query-keys.js';
import { focusFirstInvalid, formFailure, serverFieldErrors } from '../forms/field-errors.js';
import { useFormErrors } from '../forms/use-form-errors.js';
import { SaveAsPlanPanel } from '../plans/save-as-plan.js';
import { useUi } from '../ui-store.js';
import { ExtentFields, ModeFields } from './common-fields.js';
import { EstimatePanel } from './estimate-panel.js';
import { JobFields, OutputFields } from './output-fields.js';
import { usePreseedDraft } from './preseed-draft.js';
import { type PreseedKind, type RasterForm, type VectorForm, outputPath, startInput, validateForm } from './preseed-form.js';
import { type Edit, PATHS_LIST } from './preseed-parts.js';
import { RasterFields } from './raster-fields.js';
import { recentPaths, rememberPaths } from './recent-paths.js';
import { useEstimate } from './use-estimate.js';
import { VectorFields } from './vector-fields.js';

/** The text before an error at "params.bbox.1": which of the parts of a group it is at. */
const PART_NAMES: Record<string, string[]> = { 'params.bbox': ['West', 'South', 'East', 'North'], 'params.scale': ['Minimum', 'Maximum'] };

export function PreseedLaunch({ kind, estimateDelayMs }: { kind: PreseedKind; estimateDelayMs: number }) {
  const queryClient = useQueryClient();
  const draft = usePreseedDraft((s) => (kind === 'raster' ? s.raster : s.vector));
  const info = useAppInfo();
  const catalog = useQuery({
    queryKey: queryKey('catalog.list', { kind }),
    queryFn: () => window.tessera.catalog.list({ kind, limit: 500 }),
    staleTime: 60_000,
    retry: false,
  });
  const dataDir = info.data?.dataDir;
  const [recent, setRecent] = useState(recentPaths);
  const [planOpen, setPlanOpen] = useState(false);

  const input = useMemo(() => startInput(kind, draft, dataDir), [kind, draft, dataDir]);
  const clientErrors = useMemo(() => validateForm(kind, draft, input), [kind, draft, input]);
  const valid = Object.keys(clientErrors).length === 0 && dataDir !== undefined;
  const estimate = useEstimate(valid ? input : null, estimateDelayMs);
  const estimateErrors = useMemo(() => (!estimate.outdated && serverFieldErrors(estimate.error)) || undefined, [estimate.outdated, estimate.error]);
  const errors = useFormErrors(clientErrors, estimateErrors);
  const current = estimate.outdated ? undefined : estimate.data;
  // Nothing of the data can be used: the job could only fail, so it is not offered.
  const unusable = current !== undefined && current !== null && current.datasets.length > 0 && current.datasets.every((d) => d.error !== null);
  const blocked = current?.storage.problem != null || unusable;

  const errorFor = (...groups: string[]): string | undefined => {
    const e = errors.first(...groups);
    if (e === null) return undefined;
    const part = Object.entries(PART_NAMES).find(([g]) => e.field.startsWith(`${g}.`));
    return part ? `${part[1][Number(e.field.slice(part[0].length + 1))] ?? e.field}: ${e.message}` : e.message;
  };

  /** Applies a change and tells the kit which fields it edited. */
  const edit: Edit = (change, groups) => {
    const next = { ...draft, ...change };
    if (kind === 'raster') usePreseedDraft.getState().setRaster(next as RasterForm);
    else usePreseedDraft.getState().setVector(next as VectorForm);
    errors.edited(groups);
  };

  const start = useMutation({
    mutationFn: (job: JobStartInput) => window.tessera.jobs.start(job),
    onSuccess: (job, sent) => {
      const p = sent.params as { datasets?: string[]; sources?: string[]; coverage?: string; output: string };
      setRecent(rememberPaths([...(p.datasets ?? p.sources ?? []), ...(p.coverage ? [p.coverage] : []), p.output]));
      seedJob(queryClient, job);
      useUi.getState().navigate({ name: 'job', jobId: job.id });
    },
    onError: errors.rejected,
  });
  const startOther = formFailure(start.error);

  const formId = `preseed-form-${kind}`;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    errors.submitted();
    if (!valid) {
      // The first field in the page with an error (the errors of a submit show all at once).
      focusFirstInvalid(event.currentTarget, clientErrors);
      return;
    }
    if (blocked) return;
    errors.clearServer();
    start.mutate(input);
  };
  const clear = () => {
    usePreseedDraft.getState().clear(kind);
    errors.reset();
    start.reset();
  };

  const dataBounds = (current?.datasets ?? []).flatMap((d) => (d.bounds ? [d.bounds] : []));
  const inputs = kind === 'raster' ? (draft as RasterForm).datasets : (draft as VectorForm).sources;
  const catalogData = catalog.data?.rows ?? [];
  const common = { form: draft, edit, errorFor, invalid: errors.invalid };

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
        <ExtentFields {...common} dataBounds={dataBounds} />
        <ModeFields {...common} />
        <OutputFields {...common} output={outputPath(kind, draft, dataDir)} dataDir={dataDir} />
        <JobFields {...common} />
      </form>

      <aside className="preseed-side">
        <EstimatePanel
          estimate={estimate}
          canEstimate={valid}
          onEstimate={() => {
            if (valid) estimate.now();
            else errors.submitted();
          }}
        />
        <div className="form-actions">
          <button type="submit" form={formId} className="primary" disabled={start.isPending || blocked} data-testid="start">
            {start.isPending ? 'Starting…' : 'Start preseed'}
          </button>
          <button
            type="button"
            onClick={() => (valid ? setPlanOpen(true) : errors.submitted())}
            title="This preseed as a plan file (plans as code), to keep it reconciled or on a schedule"
          >
            Save as plan…
          </button>
          <button type="button" onClick={clear}>
            Clear the form
          </button>
        </div>
        {planOpen && valid && (
          <SaveAsPlanPanel
            origin={{ queryKey: ['plans.fromInput', input], load: () => window.tessera.plans.fromInput(input), what: 'starts this preseed' }}
            onClose={() => setPlanOpen(false)}
          />
        )}
        {blocked && (
          <p className="muted small">
            {unusable ? 'Start is off: none of the data can be used (see the dry run).' : 'Start is off while the dry run says the job does not fit.'}
          </p>
        )}
        {errors.tried && !valid && Object.keys(clientErrors).length > 0 && (
          <p className="error" role="alert">
            Nothing was started: fix the fields marked in the form.
          </p>
        )}
        {startOther && (
          <p className="error" role="alert" data-testid="start-error">
            Could not start: {startOther.message}
          </p>
        )}
        {inputs.length > 0 && (
          <p className="muted small">Each {kind === 'raster' ? 'dataset' : 'source'} is one item of the job: one that fails does not stop the others.</p>
        )}
      </aside>
    </div>
  );
}
