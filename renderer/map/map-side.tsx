/** The preview's side panel: what the cache is, its areas, its layers with their toggles, and what a click found. */
import type { TileCacheSummary } from '../../shared/contract.js';
import type { Picked } from './map-overlays.js';
import { type Theme, colourFor } from './map-style.js';
import { type CacheArea, areaLabel } from './map-view.js';

/** "MBTiles · vector (MVT)": what the cache is, as the panels say it. */
export function cacheKindText(summary: TileCacheSummary): string {
  const kind = { mbtiles: 'MBTiles', pmtiles: 'PMTiles', directory: 'Tile folder', geopackage: 'GeoPackage, tiles cut on demand' }[summary.kind];
  return `${kind} · ${summary.format === 'pbf' ? 'vector (MVT)' : summary.format.toUpperCase()}`;
}

export function CacheFacts({ summary }: { summary: TileCacheSummary }) {
  return (
    <dl className="map-facts">
      <dt>Name</dt>
      <dd>{summary.name}</dd>
      <dt>Cache</dt>
      <dd title={summary.path}>{cacheKindText(summary)}</dd>
      <dt>Zooms</dt>
      <dd>
        {summary.minZoom}–{summary.maxZoom}
      </dd>
      <dt>Bounds</dt>
      <dd>{summary.bounds ? summary.bounds.map((v) => v.toFixed(3)).join(', ') : 'unknown'}</dd>
    </dl>
  );
}

export function PickedPanel({ picked, isVector }: { picked: Picked | null; isVector: boolean }) {
  if (picked === null)
    return <p className="muted small map-hint">{isVector ? 'Click a feature to see its attributes.' : 'Click the map to see which tile is there.'}</p>;
  const { tile } = picked;
  return (
    <div className="map-picked" data-testid="map-picked">
      <h3>
        {picked.lngLat[0].toFixed(5)}, {picked.lngLat[1].toFixed(5)}
      </h3>
      <p className="muted small">
        Tile {tile.z}/{tile.x}/{tile.y}
      </p>
      {isVector && picked.features.length === 0 && <p className="muted small">No feature here.</p>}
      {picked.features.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: one click's features, replaced whole by the next click; two may be alike
        <table key={i} className="map-attributes">
          <caption>
            {f.layer}{' '}
            <span className="muted">
              ({f.geometry}
              {f.id !== undefined ? `, id ${f.id}` : ''})
            </span>
          </caption>
          <tbody>
            {Object.entries(f.properties).length === 0 && (
              <tr>
                <td className="muted" colSpan={2}>
                  no attributes
                </td>
              </tr>
            )}
            {Object.entries(f.properties).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function fieldsTitle(fields: Record<string, string>): string {
  const entries = Object.entries(fields);
  return entries.length === 0 ? 'no fields' : entries.map(([k, t]) => `${k}: ${t}`).join('\n');
}

/** The vector layers, each with its swatch, zooms and fields, and a box to hide it. */
export function LayerList({
  summary,
  hidden,
  onToggle,
  theme = 'light',
}: {
  summary: TileCacheSummary;
  hidden: ReadonlySet<string>;
  onToggle: (layerId: string) => void;
  theme?: Theme;
}) {
  if (summary.format !== 'pbf') return <p className="muted small">Raster tiles ({summary.format.toUpperCase()}).</p>;
  if (summary.vectorLayers.length === 0) return <p className="muted small">No layers found in the metadata or in a sample of tiles.</p>;
  return (
    <ul className="map-layers">
      {summary.vectorLayers.map((layer, i) => (
        <li key={layer.id}>
          <label title={fieldsTitle(layer.fields)}>
            <input type="checkbox" checked={!hidden.has(layer.id)} onChange={() => onToggle(layer.id)} />
            <span className={`map-swatch map-swatch-${layer.geometryType}`} style={{ background: colourFor(i, theme), borderColor: colourFor(i, theme) }} />
            <span className="map-layer-name">{layer.id}</span>
            <span className="muted small">
              {layer.geometryType} · z{layer.minZoom}–{layer.maxZoom} · {Object.keys(layer.fields).length} fields
            </span>
          </label>
        </li>
      ))}
    </ul>
  );
}

/**
 * The cache's separate areas (largest first), each a button that moves the map to it; nothing when
 * the cache is one area. `current` is the index of the area last jumped to (the map opens on 0).
 */
export function AreaList({ areas, current, onJump }: { areas: readonly CacheArea[]; current: number | null; onJump: (index: number) => void }) {
  if (areas.length < 2) return null;
  return (
    <>
      <h3>Areas ({areas.length})</h3>
      <ol className="map-areas" data-testid="map-areas">
        {areas.map((area, i) => (
          <li key={area.bounds.join(',')}>
            <button type="button" aria-current={current === i ? 'true' : undefined} onClick={() => onJump(i)}>
              {areaLabel(area)}
            </button>
          </li>
        ))}
      </ol>
    </>
  );
}
