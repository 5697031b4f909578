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
import type { KeyboardEvent } from 'react';
import { useUi } from '../ui-store.js';
import { usePreseedDraft } from './preseed-draft.js';
import type { PreseedKind } from './preseed-form.js';
import { PreseedLaunch } from './preseed-launch.js';
import { ESTIMATE_DELAY_MS } from './use-estimate.js';
import '../controls.css';
import './preseed.css';

const KINDS: readonly { kind: PreseedKind; label: string }[] = [
  { kind: 'raster', label: 'Raster' },
  { kind: 'vector', label: 'Vector' },
];

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
          {shown === 'raster' ? 'GDAL rasters (any CRS) to PNG, JPEG or WebP tiles.' : 'OGR sources (any CRS) to Mapbox Vector Tiles.'} One job item per
          dataset.
        </p>
      </div>
      <div role="tabpanel" id={`preseed-panel-${shown}`} aria-labelledby={`preseed-tab-${shown}`}>
        <PreseedLaunch key={shown} kind={shown} estimateDelayMs={estimateDelayMs} />
      </div>
    </section>
  );
}
