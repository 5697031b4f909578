/**
 * The Esri migration wizard (`#/migrate`): a service URL and its credentials, the layers the
 * server describes (with their feature counts, page sizes and paging support) to choose from, the
 * target dataset's name, then the running job: each layer's features done of total, the source's
 * circuit breaker ("source unavailable, retrying at …"), and at the end each layer's counts and
 * checks against the source.
 *
 * Secrets are sent once, to credentials.save, and dropped from the page: everything after uses
 * the credential's id (the job's params hold nothing else).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { type EsriService, FINISHED_JOB_STATES, type JobSummary } from '../../shared/contract.js';
import { seedJob, useJob, useJobEvents, useJobItems } from '../data/job-queries.js';
import { Field } from '../forms/field.js';
import {
  type CredentialChoice,
  breakerFromEvents,
  defaultName,
  defaultSelection,
  doneOf,
  layerRows,
  migrateStartInput,
  totalFeatures,
} from './migrate-wizard.js';
import './migrate.css';

export function MigrateView() {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [choice, setChoice] = useState<CredentialChoice>('none');
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [credential, setCredential] = useState<{ id: string; label: string } | null>(null);
  const [service, setService] = useState<EsriService | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [name, setName] = useState('');
  const [where, setWhere] = useState('');
  const [job, setJob] = useState<JobSummary | null>(null);

  const discover = useMutation({
    mutationFn: async (target: string) => {
      let id = credential?.id ?? null;
      if (choice === 'token' && token !== '') {
        id = (await window.tessera.credentials.save({ url: target, token })).id;
        setCredential({ id, label: 'token' });
      } else if (choice === 'password' && username !== '' && password !== '') {
        id = (await window.tessera.credentials.save({ url: target, username, password })).id;
        setCredential({ id, label: `user ${username}` });
      }
      // The secret has done its work: the page keeps only the id.
      setToken('');
      setPassword('');
      return window.tessera.esri.discover({ url: target, ...(id !== null && choice !== 'none' && { credentialId: id }) });
    },
    onSuccess: (found, target) => {
      setService(found);
      setSelected(found.type === 'folder' ? [] : defaultSelection(found, target));
      if (name === '' && found.type !== 'folder') setName(defaultName(found));
    },
  });

  const start = useMutation({
    mutationFn: () => window.tessera.jobs.start(migrateStartInput({ service: service!, selected, name, where, credentialId: choice === 'none' ? null : (credential?.id ?? null) })),
    onSuccess: (started) => {
      seedJob(queryClient, started);
      setJob(started);
    },
  });

  const onDiscover = (e: FormEvent) => {
    e.preventDefault();
    if (url.trim() !== '') discover.mutate(url.trim());
  };
  const openService = (next: string) => {
    setUrl(next);
    setName('');
    discover.mutate(next);
  };

  if (job) return <MigrationRun job={job} onAnother={() => (setJob(null), start.reset())} />;

  const layers = service && service.type !== 'folder' ? service.layers : [];
  const total = service && service.type !== 'folder' ? totalFeatures(service, selected) : null;
  return (
    <section className="migrate-view" aria-labelledby="migrate-title">
      <h2 id="migrate-title">Migrate from ArcGIS</h2>
      <p className="muted small">Copies FeatureServer or MapServer layers into one GeoPackage in the catalogue, page by page, checked against the server at the end.</p>

      <form onSubmit={onDiscover} aria-label="Service">
        <fieldset>
          <legend>1. Service</legend>
          <Field label="Service URL" help="A FeatureServer or MapServer (a layer URL or a services folder works too).">
            {(id, describedBy) => (
              <input id={id} aria-describedby={describedBy} className="wide" type="url" required value={url} placeholder="https://…/arcgis/rest/services/…/FeatureServer" onChange={(e) => setUrl(e.target.value)} />
            )}
          </Field>
          <Field label="Credentials" group help={credential ? `Saved as ${credential.id} (${credential.label}); only the id is used from now on.` : 'Kept in the credential store; jobs refer to them by id.'}>
            {() => (
              <div className="credential-choice">
                <div className="choice">
                  {(['none', 'token', 'password'] as const).map((c) => (
                    <label key={c}>
                      <input type="radio" name="credential" value={c} checked={choice === c} onChange={() => setChoice(c)} />
                      {c === 'none' ? 'None' : c === 'token' ? 'Token' : 'User name and password'}
                    </label>
                  ))}
                </div>
                {choice === 'token' && (
                  <input aria-label="Token" type="password" autoComplete="off" value={token} placeholder={credential ? 'saved; paste a new one to replace it' : 'token'} onChange={(e) => setToken(e.target.value)} />
                )}
                {choice === 'password' && (
                  <div className="choice">
                    <input aria-label="User name" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
                    <input aria-label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
                  </div>
                )}
              </div>
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" disabled={discover.isPending || url.trim() === ''}>
              {discover.isPending ? 'Reading the service…' : 'Discover layers'}
            </button>
            {discover.error && (
              <p className="field-error" role="alert">
                {errorText(discover.error)}
              </p>
            )}
          </div>
        </fieldset>
      </form>

      {service?.type === 'folder' && (
        <fieldset>
          <legend>Services in {service.name === '' ? 'the directory' : service.name}</legend>
          {service.services.length === 0 ? (
            <p className="muted">No services here.</p>
          ) : (
            <ul className="service-list">
              {service.services.map((s) => (
                <li key={s.url}>
                  <button type="button" className="link" onClick={() => openService(s.url)}>
                    {s.name}
                  </button>{' '}
                  <span className="muted small">{s.type}</span>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
      )}

      {service && service.type !== 'folder' && (
        <form
          aria-label="Layers and target"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate();
          }}
        >
          <fieldset>
            <legend>
              2. Layers of {service.name} ({service.type})
            </legend>
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
                        onChange={(e) => setSelected((s) => (e.target.checked ? [...s, l.id] : s.filter((x) => x !== l.id)))}
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
            <p className="small muted">
              {selected.length} of {layers.length} selected{total !== null ? `, ${total.toLocaleString('en')} features` : ''}.
            </p>
          </fieldset>
          <fieldset>
            <legend>3. Target</legend>
            <Field label="Dataset name" help="The GeoPackage's name in the catalogue; a second copy with the same name replaces the first (a refresh).">
              {(id, describedBy) => <input id={id} aria-describedby={describedBy} required value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label="Where" help="An optional filter in the server's SQL (e.g. POP > 10000); all features when empty.">
              {(id, describedBy) => <input id={id} aria-describedby={describedBy} className="wide" value={where} placeholder="1=1" onChange={(e) => setWhere(e.target.value)} />}
            </Field>
            <div className="form-actions">
              <button type="submit" className="primary" disabled={start.isPending || selected.length === 0 || name.trim() === ''}>
                Start the migration
              </button>
              {start.error && (
                <p className="field-error" role="alert">
                  {errorText(start.error)}
                </p>
              )}
            </div>
          </fieldset>
        </form>
      )}
    </section>
  );
}

/** How often a running migration's layers are read: their features move without a job.changed. */
const RUN_POLL_MS = 1000;

/** The running (then finished) migration: per-layer progress, the breaker, the checks. */
function MigrationRun({ job: started, onAnother }: { job: JobSummary; onAnother: () => void }) {
  // The job is followed by its events like everywhere else; a layer's features move without a
  // job.changed, so its rows (and the breaker's log) are also read every second while it runs.
  const job = useJob(started.id, { pollMs: RUN_POLL_MS });
  const current = job.data ?? started;
  const running = !FINISHED_JOB_STATES.includes(current.state);
  const items = useJobItems(started.id, { pageSize: 1000, pollMs: running && RUN_POLL_MS });
  const events = useJobEvents(started.id, { pageSize: 1000, pollMs: running && RUN_POLL_MS });
  // One last read when the job finishes: the items' results (counts and checks) arrive with it.
  const refetchItems = items.refetch;
  const refetchEvents = events.refetch;
  useEffect(() => {
    if (running) return;
    void refetchItems();
    void refetchEvents();
  }, [running, refetchItems, refetchEvents]);
  const breaker = breakerFromEvents(events.data?.pages.flatMap((p) => p.rows) ?? []);
  const rows = layerRows(items.data?.pages.flatMap((p) => p.rows) ?? []);
  return (
    <section className="migrate-view" aria-labelledby="migrate-run-title">
      <h2 id="migrate-run-title">
        {current.name} <span className={`state state-${current.state}`} data-testid="migrate-state">{current.state}</span>
      </h2>
      <p className="small">
        <a href={`#/jobs/${started.id}`}>Job #{started.id}: events, attempts and the report</a>
        {!running && (
          <>
            {' · '}
            <button type="button" className="link" onClick={onAnother}>
              Migrate another service
            </button>
          </>
        )}
      </p>
      <div className={`breaker breaker-${breaker.state}`} role="status" data-testid="breaker" data-state={breaker.state}>
        {breaker.state === 'open' ? (
          <>
            <strong>Source unavailable</strong> ({breaker.host}): waiting, retrying at {breaker.retryAt ? new Date(breaker.retryAt).toLocaleTimeString() : 'soon'}.
          </>
        ) : breaker.message ? (
          <>{breaker.message.charAt(0).toUpperCase() + breaker.message.slice(1)}.</>
        ) : (
          <>Source reachable.</>
        )}
      </div>
      {current.error && (
        <p className="field-error" role="alert">
          {current.error.code}: {current.error.message}
        </p>
      )}
      <table className="layer-table progress-table">
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">State</th>
            <th scope="col">Features</th>
            <th scope="col" className="num">
              Source count
            </th>
            <th scope="col" className="num">
              Written
            </th>
            <th scope="col">Id set checked</th>
            <th scope="col">Read by</th>
            <th scope="col" className="num">
              Pages
            </th>
            <th scope="col" className="num">
              Retries
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} data-label={r.label} data-state={r.state}>
              <th scope="row">{r.label}</th>
              <td>{r.state}</td>
              <td data-column="progress">
                <progress max={Math.max(1, r.total)} value={Math.min(r.done, Math.max(1, r.total))} aria-label={`${r.label}: ${doneOf(r.done, r.total)} features`} /> {doneOf(r.done, r.total)}
              </td>
              <td className="num">{r.sourceCount?.toLocaleString('en') ?? '—'}</td>
              <td className="num">{r.written?.toLocaleString('en') ?? '—'}</td>
              <td data-column="checked">{r.idsChecked === null ? '—' : r.idsChecked ? '✓ count and ids match' : '✗'}</td>
              <td>{r.mode === null ? '—' : r.mode === 'offset' ? 'offset pages' : 'id batches'}</td>
              <td className="num">{r.pages ?? '—'}</td>
              <td className="num" data-column="retries">
                {r.retries === null ? '—' : `${r.retries}${r.breakerOpenings ? ` (breaker opened ${r.breakerOpenings}×)` : ''}`}
              </td>
            </tr>
          ))}
          {rows
            .filter((r) => r.error)
            .map((r) => (
              <tr key={`${r.label}-error`} className="has-error">
                <td colSpan={9} className="field-error">
                  {r.label}: {r.error}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : String(e.message ?? error);
}
