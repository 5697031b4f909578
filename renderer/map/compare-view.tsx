/**
 * Compare (issue 16, item 6): two caches on one frame with a swipe divider, the left cache left of
 * it and the right cache right of it, moving together. Two caches, a cache and its refreshed copy,
 * or a raster over a vector: each side is a full map of its own (use-cache-map.ts, so each keeps
 * its own style, zooms and readiness flag).
 *
 * No plugin: @maplibre/maplibre-gl-compare is not among the dependencies, and the swipe is small.
 * Both maps fill the frame; the right one is clipped with CSS `clip-path: inset(0 0 0 P%)`, which
 * clips what is drawn and where the pointer lands alike, so each side takes its own drags and
 * wheel, and a move of either is copied to the other (swipe.ts keeps the arithmetic).
 *
 * For tests: each side's container is `data-testid="compare-left"`/`"compare-right"` with
 * `data-cache-id`, `data-ready` and `__map` as the single map's; the divider is a `separator`
 * whose `aria-valuenow` is the split in percent.
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react';
import type { TileCacheSummary } from '../../shared/contract.js';
import { cachesKey } from '../caches/cache-format.js';
import { queryKey } from '../data/query-keys.js';
import { useUi } from '../ui-store.js';
import { zoomLimits } from './map-style.js';
import type { maplibregl } from './maplibre.js';
import { CompareSide } from './compare-side.js';
import { clampSplit, splitFromPointer, splitOnKey, unionZoomLimits } from './swipe.js';
import { useCacheMap } from './use-cache-map.js';

/** "Compare with…": a second cache's path, then the compare route with this cache on the left. */
export function CompareWithForm({ cachePath }: { cachePath: string }) {
  const navigate = useUi((s) => s.navigate);
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState('');
  // The known caches as suggestions for the path (any other path can still be typed).
  const caches = useQuery({ queryKey: cachesKey, queryFn: () => window.tessera.caches.list({}), enabled: open });
  const known = (caches.data ?? []).filter((c) => c.kind !== null && c.path !== cachePath);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const path = other.trim();
    if (path !== '') navigate({ name: 'map', cachePath, compareWith: path });
  };
  if (!open)
    return (
      <div className="map-actions">
        <button type="button" onClick={() => setOpen(true)} title="Show another cache beside this one, with a swipe divider">
          Compare with…
        </button>
      </div>
    );
  return (
    <form className="map-compare-form" onSubmit={submit} aria-label="Compare with another cache">
      <label htmlFor="map-compare-path">Compare with (path of the right-hand cache)</label>
      <input
        id="map-compare-path"
        type="text"
        spellCheck={false}
        // biome-ignore lint/a11y/noAutofocus: the field is what the person just asked for
        autoFocus
        placeholder="/path/to/other.mbtiles"
        list="map-compare-caches"
        value={other}
        onChange={(e) => setOther(e.target.value)}
      />
      <datalist id="map-compare-caches">
        {known.map((c) => (
          <option key={c.path} value={c.path}>
            {c.name}
          </option>
        ))}
      </datalist>
      <div className="map-actions">
        <button type="submit" disabled={other.trim() === ''}>
          Compare
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function useOpenCache(path: string) {
  return useQuery({
    queryKey: queryKey('caches.open', { path }),
    queryFn: () => window.tessera.caches.open({ path }),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

/** The compare screen: opens both caches, then shows them with the swipe. */
export function CompareScreen({ left, right }: { left: string; right: string }) {
  const navigate = useUi((s) => s.navigate);
  const a = useOpenCache(left);
  const b = useOpenCache(right);
  const failed = [
    [left, a.error],
    [right, b.error],
  ].filter(([, e]) => e) as [string, Error][];
  const [zoom, setZoom] = useState<number | null>(null);
  // The same side panel as the single map's: the two caches, their zooms, swap and close.
  return (
    <div className="map-body compare" data-testid="compare">
      <CompareSide
        left={left}
        right={right}
        leftSummary={a.data}
        rightSummary={b.data}
        zoom={a.data && b.data ? zoom : null}
        onSwap={() => navigate({ name: 'map', cachePath: right, compareWith: left })}
        onClose={() => navigate({ name: 'map', cachePath: left })}
      />
      <div className="compare-main">
        {failed.map(([path, error]) => (
          <p key={path} className="error map-message" role="alert">
            Could not open {path}: {error.message.replace(/^path: /, '')}
          </p>
        ))}
        {(a.isPending || b.isPending) && <p className="muted map-message">Opening both caches…</p>}
        {a.data && b.data && (
          <SwipeMaps
            key={`${a.data.id}:${a.dataUpdatedAt}|${b.data.id}:${b.dataUpdatedAt}`}
            left={a.data}
            right={b.data}
            leftAt={a.dataUpdatedAt}
            rightAt={b.dataUpdatedAt}
            onZoom={setZoom}
          />
        )}
      </div>
    </div>
  );
}

/** Keeps `a` and `b` on the same view, over the zooms of both caches. */
function useSyncedMaps(a: maplibregl.Map | null, b: maplibregl.Map | null, left: TileCacheSummary, right: TileCacheSummary): void {
  useEffect(() => {
    if (a === null || b === null) return;
    const limits = unionZoomLimits(zoomLimits(left), zoomLimits(right));
    for (const m of [a, b]) {
      m.setMinZoom(limits.minZoom);
      m.setMaxZoom(limits.maxZoom);
    }
    // A jump fires the other map's own move synchronously: the flag keeps it from echoing back.
    let syncing = false;
    const follow = (from: maplibregl.Map, to: maplibregl.Map) => () => {
      if (syncing) return;
      syncing = true;
      to.jumpTo({ center: from.getCenter(), zoom: from.getZoom(), bearing: from.getBearing(), pitch: from.getPitch() });
      syncing = false;
    };
    const aToB = follow(a, b);
    const bToA = follow(b, a);
    a.on('move', aToB);
    b.on('move', bToA);
    // The right map opened on its own cache: it starts where the left one is.
    aToB();
    return () => {
      a.off('move', aToB);
      b.off('move', bToA);
    };
  }, [a, b, left, right]);
}

interface SwipeMapsProps {
  left: TileCacheSummary;
  right: TileCacheSummary;
  leftAt: number;
  rightAt: number;
  /** The shared view's zoom, for the side panel. */
  onZoom(zoom: number | null): void;
}

function SwipeMaps({ left, right, leftAt, rightAt, onZoom }: SwipeMapsProps) {
  const a = useCacheMap(left, leftAt);
  const b = useCacheMap(right, rightAt);
  useSyncedMaps(a.map, b.map, left, right);
  useEffect(() => onZoom(a.zoom), [a.zoom, onZoom]);
  const frameRef = useRef<HTMLDivElement>(null);
  const [split, setSplit] = useState(50);
  const dragging = useRef(false);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = true;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const rect = frameRef.current?.getBoundingClientRect();
    if (!dragging.current || rect === undefined) return;
    setSplit(splitFromPointer(e.clientX, rect.left, rect.width));
  };
  const onPointerUp = () => {
    dragging.current = false;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next = splitOnKey(split, e.key, e.shiftKey);
    if (next === null) return;
    e.preventDefault();
    setSplit(next);
  };

  const error = a.mapError ?? b.mapError;
  return (
    <div className="map-frame compare-frame" ref={frameRef}>
      <div className="map-canvas" ref={a.containerRef} data-testid="compare-left" data-cache-id={left.id} data-ready="false" />
      <div
        className="map-canvas compare-right"
        ref={b.containerRef}
        data-testid="compare-right"
        data-cache-id={right.id}
        data-ready="false"
        style={{ clipPath: `inset(0 0 0 ${clampSplit(split)}%)` }}
      />
      {/* biome-ignore lint/a11y/useSemanticElements: a focusable, draggable splitter (ARIA's window-splitter pattern), which an <hr> cannot be */}
      <div
        className="compare-divider"
        role="separator"
        aria-orientation="vertical"
        aria-label="Swipe between the two caches"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(split)}
        tabIndex={0}
        style={{ left: `${clampSplit(split)}%` }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <span className="compare-handle" aria-hidden="true">
          ◀ ▶
        </span>
      </div>
      <span className="compare-label compare-label-left">{left.name}</span>
      <span className="compare-label compare-label-right">{right.name}</span>
      {(a.loading || b.loading) && !error && <div className="map-overlay muted">Loading tiles…</div>}
      {error && (
        <div className="map-overlay error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
