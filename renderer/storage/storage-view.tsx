/**
 * Where Tessera's bytes go: a gauge per volume it writes to (used, free, and the free-space floor
 * below which jobs wait), the quotas, and the engine's warnings on top. Refreshed every 10 s and
 * whenever a job finishes, since a finished job is when space was taken or given back.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FINISHED_JOB_STATES, type QuotaStatus, type VolumeStatus } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { formatBytes } from './bytes.js';
import { Gauge } from './gauge.js';
import '../controls.css';
import './storage-view.css';
import { LoadError } from '../shell/load-error.js';

/** The query key of storage.status, for whoever changes what it reports (settings). */
export const storageKey = queryKey('storage.status');
const REFRESH_MS = 10_000;

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
        <span className="muted small">
          {storage.dataUpdatedAt > 0 && `checked ${new Date(storage.dataUpdatedAt).toLocaleTimeString()} · every ${REFRESH_MS / 1000} s`}
        </span>
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
                <VolumeGauge key={v.path} volume={v} floor={storage.data.freeSpaceFloorBytes} />
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
          </section>
        </>
      )}
    </section>
  );
}

function VolumeGauge({ volume, floor }: { volume: VolumeStatus; floor: number }) {
  const used = Math.max(0, volume.totalBytes - volume.freeBytes);
  const tone = volume.freeBytes < floor ? 'bad' : volume.freeBytes < floor + 0.1 * (volume.totalBytes - floor) ? 'warn' : 'ok';
  const valueText = `${formatBytes(used)} used of ${formatBytes(volume.totalBytes)}, ${formatBytes(volume.freeBytes)} free`;
  return (
    <div className="volume" data-testid="volume" data-path={volume.path}>
      <Gauge
        label={volume.path}
        used={used}
        total={volume.totalBytes}
        mark={
          floor > 0 && floor < volume.totalBytes
            ? { at: volume.totalBytes - floor, label: `free-space floor: ${formatBytes(floor)} must stay free` }
            : undefined
        }
        text={`${valueText}${volume.freeBytes < floor ? ' — below the floor' : ''}`}
        valueText={valueText}
        tone={tone}
      />
      <ul className="roles" aria-label="What Tessera keeps there">
        {volume.roles.map((r) => (
          <li key={r} className="pill">
            {r}
          </li>
        ))}
      </ul>
    </div>
  );
}

function QuotaGauge({ quota }: { quota: QuotaStatus }) {
  const title = quota.jobId === null ? quota.name : `${quota.name} (job ${quota.jobId})`;
  if (quota.limitBytes === null) {
    return (
      <div className="quota" data-testid="quota" data-name={quota.name}>
        <div className="gauge-label">{title}</div>
        <div className="gauge-text small">
          {formatBytes(quota.usedBytes)} used · <span className="muted">no quota</span>
        </div>
      </div>
    );
  }
  const share = quota.usedBytes / quota.limitBytes;
  const valueText = `${formatBytes(quota.usedBytes)} used of ${formatBytes(quota.limitBytes)}`;
  return (
    <div className="quota" data-testid="quota" data-name={quota.name}>
      <Gauge
        label={title}
        used={quota.usedBytes}
        total={quota.limitBytes}
        text={`${valueText} (${Math.round(share * 100)}%)`}
        valueText={valueText}
        tone={share >= 1 ? 'bad' : share >= 0.9 ? 'warn' : 'ok'}
      />
    </div>
  );
}
