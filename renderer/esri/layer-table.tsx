/** The service's layers as the server describes them (counts, page sizes, paging), each with its box to copy it or not. */
import type { EsriService } from '../../shared/contract.js';

type Layer = EsriService['layers'][number];

export function LayerTable({
  layers,
  selected,
  onSelect,
}: {
  layers: readonly Layer[];
  selected: readonly number[];
  onSelect: (update: (selected: number[]) => number[]) => void;
}) {
  return (
    <table className="layer-table">
      <thead>
        <tr>
          <th scope="col">Copy</th>
          <th scope="col">Id</th>
          <th scope="col">Name</th>
          <th scope="col">Geometry</th>
          <th scope="col" className="num">
            Features
          </th>
          <th scope="col">CRS</th>
          <th scope="col" className="num">
            Page size
          </th>
          <th scope="col">Paging</th>
        </tr>
      </thead>
      <tbody>
        {layers.map((l) => (
          <tr key={l.id} data-layer={l.id} className={l.error ? 'has-error' : undefined}>
            <td>
              <input
                type="checkbox"
                aria-label={`Copy ${l.name}`}
                checked={selected.includes(l.id)}
                onChange={(e) => onSelect((s) => (e.target.checked ? [...s, l.id] : s.filter((x) => x !== l.id)))}
              />
            </td>
            <td>{l.id}</td>
            <td>
              {l.name}
              {l.type === 'table' && <span className="muted small"> (table)</span>}
              {l.error && <div className="field-error small">{`${l.error.code}: ${l.error.message}`}</div>}
            </td>
            <td>{l.geometryType?.replace('esriGeometry', '') ?? '—'}</td>
            <td className="num" data-column="count">
              {l.count === null ? '?' : l.count.toLocaleString('en')}
            </td>
            <td>{l.crs ?? '—'}</td>
            <td className="num">{l.maxRecordCount || '—'}</td>
            <td>{l.supportsPagination ? 'offset' : 'id batches'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
