/**
 * "Run again with these settings": a new job from a finished one's settings, never started behind
 * the operator's back. A preseed or an Esri migration opens its form filled in; an ingest (it has
 * no form: files are dropped) opens a panel here to check its files and change its CRS first.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CrsMatch, JobSummary } from '../../shared/contract.js';
import { seedJob } from '../data/job-queries.js';
import { prefillMigration } from '../esri/migrate-prefill.js';
import { CrsPicker } from '../forms/crs-picker.js';
import { prefillPreseed } from '../preseed/preseed-prefill.js';
import { useUi } from '../ui-store.js';
import { isUploadParam } from '../../shared/param-labels.js';

/**
 * Opens the job's own form filled with its settings; true when it did (a preseed, a migration),
 * false for a kind whose settings are edited here instead.
 */
export function openPrefilledForm(job: JobSummary): boolean {
  const navigate = useUi.getState().navigate;
  const preseed = prefillPreseed(job);
  if (preseed !== null) {
    navigate({ name: 'preseed', kind: preseed });
    return true;
  }
  if (job.kind === 'migrate-esri') {
    prefillMigration(job.params);
    navigate({ name: 'migrate' });
    return true;
  }
  return false;
}

/** A code as the picker shows a CRS that was typed rather than picked (the job's own value). */
function given(code: string | undefined): CrsMatch | null {
  return code === undefined ? null : { code, name: '', area: null, kind: 'projected' };
}

/** The panel for kinds without a form: what will run, the CRS fields of an ingest, and Start. */
export function RunAgainPanel({ job, onClose }: { job: JobSummary; onClose: () => void }) {
  const queryClient = useQueryClient();
  const params = job.params as { assignCrs?: string; targetCrs?: string };
  const [assign, setAssign] = useState<CrsMatch | null>(given(params.assignCrs));
  const [target, setTarget] = useState<CrsMatch | null>(given(params.targetCrs));
  const start = useMutation({
    mutationFn: () => {
      if (job.kind !== 'ingest') return window.tessera.jobs.rerun({ id: job.id });
      const { assignCrs: _a, targetCrs: _t, ...rest } = job.params;
      return window.tessera.jobs.start({
        kind: 'ingest',
        name: job.name,
        priority: job.priority,
        params: { ...rest, ...(assign && { assignCrs: assign.code }), ...(target && { targetCrs: target.code }) },
      });
    },
    onSuccess: (next) => {
      seedJob(queryClient, next);
      useUi.getState().navigate({ name: 'job', jobId: next.id });
    },
  });
  return (
    <section className="panel run-again" role="dialog" aria-labelledby="run-again-title" data-testid="run-again">
      <h3 id="run-again-title">Run again with these settings</h3>
      <p className="muted small">A new job with the parameters listed on this page{job.kind === 'ingest' ? ', and the coordinate systems chosen here' : ''}.</p>
      {job.kind === 'ingest' && job.params.files.some(isUploadParam) && (
        <p className="muted small" data-testid="uploads-note">
          Uploaded files are kept only until their ingest succeeds (or for a while after it fails): if the engine no longer has them, drop them on the window
          again.
        </p>
      )}
      {job.kind === 'ingest' && (
        <div className="run-again-fields">
          <CrsPicker label="CRS for sources without one" value={assign} onPick={setAssign} help="Used only where a file has no CRS of its own." />
          <CrsPicker label="Reproject to" value={target} onPick={setTarget} help="Leave empty to keep each layer's own CRS." />
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={() => start.mutate()} disabled={start.isPending}>
          Start the new job
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {start.error && (
        <p className="error" role="alert">
          The new job was refused: {refusalText(start.error.message)}
        </p>
      )}
    </section>
  );
}

/** An engine refusal without the field names and upload ids it may hold (an operator knows the files by place and name). */
export function refusalText(message: string): string {
  return message
    .replace(/params\.files\.(\d+): /g, (_m, i: string) => `file ${Number(i) + 1}: `)
    .replace(/upload:[\w-]+: no such upload \([^)]*\)/g, 'the uploaded copy is no longer kept');
}
