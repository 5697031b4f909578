/**
 * "Retry with CRS…": the items of a job that failed because their source has no CRS (a Shapefile
 * without .prj) are retried with the CRS the operator picks, which the engine stores in the job's
 * params (jobs.retry with `params`, for kinds whose contract lets a retry change assignCrs).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type CrsMatch, type JobItem, type JobSummary, retryParamsOf } from '../../shared/contract.js';
import { invalidateJob } from '../data/job-queries.js';
import { CrsPicker } from '../forms/crs-picker.js';

/** The failed items that a CRS would fix. */
export function itemsWithoutCrs(items: readonly JobItem[]): JobItem[] {
  return items.filter((i) => i.state === 'failed' && i.error?.code === 'NO_GEOREFERENCE');
}

/** Whether the job can be retried with a CRS at all (its kind takes one on a retry, and it has finished). */
export function canRetryWithCrs(job: JobSummary): boolean {
  return (job.state === 'partial' || job.state === 'failed') && retryParamsOf(job.kind).includes('assignCrs');
}

/** The dialog: which items a CRS is for, the picker, and the retry. */
export function RetryWithCrs({ job, items, onClose }: { job: JobSummary; items: readonly JobItem[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [crs, setCrs] = useState<CrsMatch | null>(null);
  const retry = useMutation({
    mutationFn: async (code: string) => {
      const result = await window.tessera.jobs.retry({ ids: [job.id], params: { assignCrs: code } });
      const refused = result.failed[0];
      if (refused) throw Object.assign(new Error(refused.error.message), { code: refused.error.code });
    },
    onSuccess: onClose,
    onSettled: () => invalidateJob(queryClient, job.id),
  });
  const given = (job.params as { assignCrs?: string }).assignCrs;
  return (
    <section
      className="panel retry-crs"
      role="dialog"
      aria-labelledby="retry-crs-title"
      data-testid="retry-crs"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) onClose();
      }}
    >
      <h3 id="retry-crs-title">Retry with a coordinate reference system</h3>
      <p>
        {items.length === 1 ? 'This item has' : `These ${items.length} items have`} no CRS, so {items.length === 1 ? 'it' : 'they'} cannot be placed on a map.
        Pick the system the coordinates are in; the failed items run again with it.
        {given && ` The last run assumed ${given}.`}
      </p>
      <ul className="retry-crs-items small">
        {items.slice(0, 8).map((i) => (
          <li key={i.id}>{i.label}</li>
        ))}
        {items.length > 8 && <li className="muted">and {items.length - 8} more</li>}
      </ul>
      <CrsPicker
        label="Coordinate reference system"
        value={crs}
        onPick={setCrs}
        autoFocus
        help="A Shapefile's .prj usually says it; for lon/lat degrees pick EPSG:4326 (WGS 84)."
      />
      <div className="dialog-actions">
        <button type="button" className="primary" disabled={crs === null || retry.isPending} onClick={() => crs && retry.mutate(crs.code)}>
          {crs ? `Retry with ${crs.code}` : 'Retry with the CRS picked'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {retry.error && (
        <p className="error" role="alert">
          The retry was refused: {retry.error.message}
        </p>
      )}
    </section>
  );
}
