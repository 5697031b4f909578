/**
 * Where Tessera's bytes go: a gauge per volume it writes to (used, free, and the free-space floor
 * below which jobs wait), the quotas, and the engine's warnings on top. Refreshed every 10 s and
 * whenever a job finishes, since a finished job is when space was taken or given back.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FINISHED_JOB_STATES } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { formatBytes } from './bytes.js';
import { QuotaGauge, VolumeGauge } from './storage-gauges.js';
import { QuotaScope } from './quota-scope.js';
import { VolumeHoldings } from '../caches/volume-holdings.js';
import '../controls.css';
import './storage-view.css';
import { LoadError } from '../shell/load-error.js';
import { formatTimeOfDay } from '../dates.js';

/** The query key of storage.status, for whoever changes what it reports (settings). */
export const storageKey = queryKey('storage.status');
/** How often the Storage screen reads storage.status (the ingest dock reads the same query). */
export const STORAGE_REFRESH_MS = 10_000;
const REFRESH_MS = STORAGE_REFRESH_MS;

/** The storage screen for `#/storage`. */
export function StorageView() {
  const queryClient = useQueryClient();
  const storage = useQuery({ queryKey: storageKey, queryFn: () => window.tessera.storage.status({}), refetchInterval: REFRESH_MS });

  useEffect(
    () =>
      window.tessera.on('job.changed', (job) => {
        if (FINISHED_JOB_STATES.includes(job.state)) void queryClient.invalidateQueries({ queryKey: storageKey });
      }),
    [queryClient],
  );

  return (
    <section className="storage-view" aria-labelledby="storage-title">
      <div className="view-head">
        <h2 id="storage-title">Storage</h2>
        <span className="muted small">{storage.dataUpdatedAt > 0 && `checked ${formatTimeOfDay(storage.dataUpdatedAt)} · every ${REFRESH_MS / 1000} s`}</span>
      </div>
      {storage.isPending && <p className="muted">Checking the volumes…</p>}
      {storage.error && <LoadError what="read the storage status" error={storage.error} retry={() => void storage.refetch()} />}
      {storage.data && (
        <>
          {storage.data.warnings.length > 0 && (
            <div className="storage-warnings" role="alert" aria-label="Storage warnings">
              <strong>{storage.data.warnings.length === 1 ? 'Warning' : `${storage.data.warnings.length} warnings`}</strong>
              <ul>
                {storage.data.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </div>
          )}
          <section className="panel" aria-labelledby="volumes-title">
            <h3 id="volumes-title">Volumes</h3>
            {storage.data.volumes.length === 0 && <p className="muted">No volume could be read.</p>}
            <div className="gauges">
              {storage.data.volumes.map((v) => (
                <div key={v.path}>
                  <VolumeGauge volume={v} floor={storage.data.freeSpaceFloorBytes} />
                  <VolumeHoldings volume={v} />
                </div>
              ))}
            </div>
            <p className="muted small">
              The marked line is the free-space floor ({formatBytes(storage.data.freeSpaceFloorBytes)}): jobs wait rather than write past it. Change it in
              Settings.
            </p>
          </section>
          <section className="panel" aria-labelledby="quotas-title">
            <h3 id="quotas-title">Quotas</h3>
            {storage.data.quotas.length === 0 && <p className="muted">No quotas.</p>}
            <div className="gauges">
              {storage.data.quotas.map((q) => (
                <QuotaGauge key={`${q.name}:${q.jobId ?? ''}`} quota={q} />
              ))}
            </div>
            <QuotaScope />
          </section>
        </>
      )}
    </section>
  );
}
