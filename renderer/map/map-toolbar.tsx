/**
 * The controls over the map's top-left corner: fit to data, the basemap switch (remembered), and
 * the zoom readout. HTML over the canvas rather than MapLibre controls: they are React state, and
 * the readout needs words, which the map cannot draw without glyphs.
 */
import type { TileCacheSummary } from '../../shared/contract.js';
import type { maplibregl } from './maplibre.js';
import { zoomLimits } from './map-style.js';
import { dataBounds, zoomReadout } from './map-view.js';

type Bounds = [number, number, number, number];

/** Moves `map` to `bounds` as the map opened: with a margin, and no deeper than the cache allows. */
export function fitMap(map: maplibregl.Map, summary: TileCacheSummary, bounds: Bounds): void {
  map.fitBounds(bounds, { padding: 32, maxZoom: zoomLimits(summary).maxZoom, duration: 0 });
}

export interface MapToolbarProps {
  map: maplibregl.Map | null;
  summary: TileCacheSummary;
  zoom: number | null;
  basemap: boolean;
  onBasemap: (shown: boolean) => void;
}

/** Fit to data, the basemap switch and the zoom readout. */
export function MapToolbar({ map, summary, zoom, basemap, onBasemap }: MapToolbarProps) {
  const bounds = dataBounds(summary);
  return (
    <>
      <div className="map-toolbar" role="toolbar" aria-label="Map">
        <button
          type="button"
          disabled={map === null || bounds === null}
          title={bounds === null ? 'The cache does not say where its data is' : 'Show all of the cache'}
          onClick={() => map && bounds && fitMap(map, summary, bounds)}
        >
          Fit to data
        </button>
        <label className="map-toolbar-toggle" title="Natural Earth land and borders, shipped with the app">
          <input type="checkbox" checked={basemap} onChange={(e) => onBasemap(e.target.checked)} />
          Basemap
        </label>
      </div>
      {zoom !== null && (
        <span className="map-zoom" data-testid="map-zoom">
          {zoomReadout(summary, zoom)}
        </span>
      )}
    </>
  );
}
