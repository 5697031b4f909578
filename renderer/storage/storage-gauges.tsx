/**
 * The gauges of storage.status: a volume (used, free, the free-space floor marked) and a quota
 * (used of its limit). The Storage screen and the ingest dock draw these same components from the
 * same query, so the two never disagree about what is used or free.
 */
import type { QuotaStatus, VolumeStatus } from '../../shared/contract.js';
import { formatBytes } from './bytes.js';
import { Gauge } from './gauge.js';
import './storage-view.css';

/** One volume: used of its size, the floor marked, the roles Tessera gives it listed. */
export function VolumeGauge({ volume, floor }: { volume: VolumeStatus; floor: number }) {
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

/** One quota: used of its limit, or just what is used when there is no limit. */
export function QuotaGauge({ quota }: { quota: QuotaStatus }) {
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
