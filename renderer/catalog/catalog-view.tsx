/**
 * The catalogue: every dataset ingested (or migrated) into the data directory, with its kind,
 * layers, CRS, extent, counts, size, source and thumbnail; and what can be done with it: preview
 * it on the map (a vector dataset as its own vector tiles, cut on demand; a raster as its preview
 * MBTiles, opened like any cache), preseed it (the preseed form
 * prefilled with it), or delete it (which frees its quota). Files dropped anywhere on the window,
 * or picked with "Add files…", are ingested into it.
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { type CatalogDataset, FINISHED_JOB_STATES, makesDatasets } from '../../shared/contract.js';
import { AddFilesButton } from '../ingest/drop-zone.js';
import { useDebounced } from '../queue/use-debounced.js';
import { formatBytes } from '../storage/bytes.js';
import { useUi } from '../ui-store.js';
import { prefillPreseed } from './catalog-actions.js';
import { crsSummary, extentText, layerSummary, previewTarget, sourceText } from './dataset-format.js';
import '../controls.css';
import './catalog-view.css';
import { SearchInput } from '../forms/inputs.js';
import { LoadError } from '../shell/load-error.js';
import { hashQuery, useHashQuery } from '../shell/hash-query.js';
import { formatWhen } from '../dates.js';

const PAGE = 50;

type KindChoice = 'all' | 'vector' | 'raster';
function kindOf(value: string | null): KindChoice {
  return value === 'vector' || value === 'raster' ? value : 'all';
}

/** The catalogue screen for `#/catalog`. */
export function CatalogView() {
  const queryClient = useQueryClient();
  // The search and kind live in the address too (#/catalog?q=…&kind=raster): a reload keeps them, a link shares them.
  const [text, setText] = useState(() => hashQuery(window.location.hash).get('q') ?? '');
  const [kind, setKind] = useState(() => kindOf(hashQuery(window.location.hash).get('kind')));
  const query = new URLSearchParams({ ...(text === '' ? {} : { q: text }), ...(kind === 'all' ? {} : { kind }) }).toString();
  useHashQuery('catalog', '#/catalog', query, (params) => {
    setText(params.get('q') ?? '');
    setKind(kindOf(params.get('kind')));
  });
  const search = useDebounced(text.trim(), 250);
  const list = useInfiniteQuery({
    queryKey: ['catalog.list', search, kind],
    queryFn: ({ pageParam }) =>
      window.tessera.catalog.list({
        limit: PAGE,
        ...(search ? { text: search } : {}),
        ...(kind === 'all' ? {} : { kind }),
        ...(pageParam ? { cursor: pageParam } : {}),
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });

  useEffect(() => {
    const offs = [
      window.tessera.on('job.changed', (job) => {
        if (makesDatasets(job.kind) && FINISHED_JOB_STATES.includes(job.state)) void queryClient.invalidateQueries({ queryKey: ['catalog.list'] });
      }),
      // A thumbnail and preview drawn just after a dataset was recorded.
      window.tessera.on('catalog.changed', () => void queryClient.invalidateQueries({ queryKey: ['catalog.list'] })),
    ];
    return () => offs.forEach((off) => off());
  }, [queryClient]);

  const rows = list.data?.pages.flatMap((p) => p.rows) ?? [];
  const filtered = search !== '' || kind !== 'all';
  return (
    <section className="catalog-view" aria-labelledby="catalog-title">
      <div className="view-head">
        <h2 id="catalog-title">Catalogue</h2>
        <AddFilesButton />
        <span className="muted small">or drop files anywhere on this window</span>
      </div>
      <div className="catalog-filters">
        <SearchInput label="Search the catalogue" placeholder="Name, layer, file, CRS…" value={text} onValue={setText} />
        <select aria-label="Kind" value={kind} onChange={(e) => setKind(kindOf(e.currentTarget.value))}>
          <option value="all">vector and raster</option>
          <option value="vector">vector</option>
          <option value="raster">raster</option>
        </select>
      </div>
      {list.isPending && <p className="muted">Loading the catalogue…</p>}
      {list.error && <LoadError what="read the catalogue" error={list.error} retry={() => void list.refetch()} />}
      {list.data && rows.length === 0 && (
        <div className="empty catalog-empty">
          {filtered ? (
            <p>No dataset matches.</p>
          ) : (
            <>
              <p>The catalogue is empty.</p>
              <p className="muted small">
                Drop files anywhere on this window, or use Add files…: GeoPackage, Shapefile (zipped, or with its .dbf, .shx and .prj), GeoJSON, TopoJSON,
                KML/KMZ, GML, GPX, CSV, FlatGeobuf, GeoTIFF and other rasters, and ZIP archives of these. From a terminal:{' '}
                <code>tessera ingest &lt;file…&gt;</code>.
              </p>
            </>
          )}
        </div>
      )}
      {rows.length > 0 && (
        <div className="catalog-scroll">
          <table className="catalog-table">
            {/* Fixed widths for the short columns; the name and the contents share the rest and wrap,
                so the table fits its panel from a 1024-px window up and the actions never leave it. */}
            <colgroup>
              <col className="col-thumb" />
              <col />
              <col />
              <col className="col-place" />
              <col className="col-size" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Thumbnail</span>
                </th>
                <th scope="col">Dataset</th>
                <th scope="col">Contents</th>
                <th scope="col">CRS · extent (W, S, E, N)</th>
                <th scope="col" className="numbers">
                  Size
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <DatasetRow key={d.id} dataset={d} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : 'More'}
        </button>
      )}
    </section>
  );
}

function DatasetRow({ dataset: d }: { dataset: CatalogDataset }) {
  const queryClient = useQueryClient();
  const navigate = useUi((s) => s.navigate);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => window.tessera.catalog.delete({ ids: [d.id] }),
    onSuccess: (result) => {
      if (result.ok.includes(d.id)) void queryClient.invalidateQueries({ queryKey: ['catalog.list'] });
    },
  });
  const refused = remove.data?.failed[0]?.error.message ?? (remove.error ? remove.error.message : null);
  const preview = previewTarget(d);
  return (
    <tr data-testid="dataset" data-id={d.id} data-name={d.name}>
      <td className="thumb">
        {d.thumbnail ? (
          <img src={d.thumbnail} alt={`Thumbnail of ${d.name}`} width={64} />
        ) : (
          <span className="muted small" data-testid="picture-state">
            {d.analysisPending ? 'drawing…' : 'no picture'}
          </span>
        )}
      </td>
      <td className="dataset">
        <div className="dataset-name">
          <strong>{d.name}</strong> <span className={`pill kind-${d.kind}`}>{d.kind}</span>
        </div>
        <div className="small muted" title={d.path}>
          {sourceText(d)}
        </div>
        <div className="small muted">
          {formatWhen(d.createdAt)}
          {d.jobId !== null && (
            <>
              {' · '}
              <a href={`#/jobs/${d.jobId}`}>job #{d.jobId}</a>
            </>
          )}
        </div>
      </td>
      <td className="contents">
        {d.raster ? (
          <span>{layerSummary(d)[0]}</span>
        ) : (
          <ul className="layers">
            {layerSummary(d).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
      </td>
      <td className="place">
        <div>{crsSummary(d)}</div>
        <div className="extent small">{extentText(d.bounds)}</div>
      </td>
      <td className="numbers">{formatBytes(d.sizeBytes)}</td>
      <td className="actions">
        <button
          type="button"
          disabled={preview === null}
          title={
            preview !== null
              ? d.kind === 'vector'
                ? 'Its features on the map, as vector tiles at every zoom (click one for its attributes)'
                : 'Its preview, on the map'
              : d.analysisPending
                ? 'Its preview is being drawn'
                : 'Nothing to draw: the dataset has no features or no known place'
          }
          onClick={() => preview && navigate({ name: 'map', ...preview })}
        >
          Preview on map
        </button>
        <button
          type="button"
          onClick={() => {
            prefillPreseed(d);
            navigate({ name: 'preseed', kind: d.kind });
          }}
        >
          Preseed {d.kind}…
        </button>
        {confirming ? (
          <span className="confirm">
            <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : `Delete ${d.name}`}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete…
          </button>
        )}
        {refused && (
          <p className="error small" role="alert">
            Not deleted: {refused}
          </p>
        )}
      </td>
    </tr>
  );
}
