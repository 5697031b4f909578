/**
 * The Esri migration wizard (`#/migrate`): a service URL and its credentials, the layers the
 * server describes (with their feature counts, page sizes and paging support) to choose from, the
 * target dataset's name, then the running job (migration-run.tsx). Both forms are checked with the
 * contract's schemas (once a field is left, or on submit) and the engine's refusals land at the
 * field they name, through the forms kit.
 *
 * Secrets are sent once, to credentials.save, and dropped from the page: everything after uses
 * the credential's id (the job's params hold nothing else).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import type { EsriService, JobSummary } from '../../shared/contract.js';
import { seedJob } from '../data/job-queries.js';
import { Field } from '../forms/field.js';
import { formFailure } from '../forms/field-errors.js';
import { TextField } from '../forms/inputs.js';
import { useFormErrors } from '../forms/use-form-errors.js';
import { LayerTable } from './layer-table.js';
import { MigrationRun } from './migration-run.js';
import { useMigratePrefill } from './migrate-prefill.js';
import { type CredentialChoice, defaultName, defaultSelection, migrateStartInput, serviceUrlErrors, startErrors, totalFeatures } from './migrate-wizard.js';
import '../controls.css';
import './migrate.css';

/** The fields of each form that the engine's refusals can name. */
const SERVICE_FIELDS = ['url', 'token', 'username', 'password'];
const TARGET_FIELDS = ['params.name', 'params.where', 'params.layers'];

export function MigrateView() {
  const queryClient = useQueryClient();
  // A job's settings to run again ("Run again with these settings"), taken once when the wizard opens.
  const [prefill] = useState(() => useMigratePrefill.getState().prefill);
  const [url, setUrl] = useState(prefill?.url ?? '');
  const [choice, setChoice] = useState<CredentialChoice>(prefill?.credentialId ? 'token' : 'none');
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [credential, setCredential] = useState<{ id: string; label: string } | null>(
    prefill?.credentialId ? { id: prefill.credentialId, label: 'the earlier job’s credentials' } : null,
  );
  const [service, setService] = useState<EsriService | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [name, setName] = useState(prefill?.name ?? '');
  const [where, setWhere] = useState(prefill?.where ?? '');
  const [job, setJob] = useState<JobSummary | null>(null);

  const credentialId = choice === 'none' ? null : (credential?.id ?? null);
  const startInput = useMemo(
    () => (service && service.type !== 'folder' ? migrateStartInput({ service, selected, name, where, credentialId }) : null),
    [service, selected, name, where, credentialId],
  );
  const urlCheck = useMemo(() => serviceUrlErrors(url), [url]);
  const startCheck = useMemo(() => (startInput ? startErrors(startInput) : {}), [startInput]);
  const serviceErrors = useFormErrors(urlCheck);
  const targetErrors = useFormErrors(startCheck);

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
      const again = prefill?.url === target ? prefill.layers : undefined;
      setSelected(found.type === 'folder' ? [] : (again ?? defaultSelection(found, target)));
      if (name === '' && found.type !== 'folder') setName(defaultName(found));
    },
    onError: serviceErrors.rejected,
  });

  const start = useMutation({
    mutationFn: (input: NonNullable<typeof startInput>) => window.tessera.jobs.start(input),
    onSuccess: (started) => {
      seedJob(queryClient, started);
      setJob(started);
    },
    onError: targetErrors.rejected,
  });

  // A prefilled wizard reads its service at once, as the earlier job did.
  const prefilled = useRef(false);
  useEffect(() => {
    if (prefill === null || prefilled.current) return;
    prefilled.current = true;
    useMigratePrefill.setState({ prefill: null });
    discover.mutate(prefill.url);
  }, [prefill, discover.mutate]);

  const onDiscover = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (serviceErrors.submitting(e.currentTarget, urlCheck) && url.trim() !== '') discover.mutate(url.trim());
  };
  const openService = (next: string) => {
    setUrl(next);
    setName('');
    serviceErrors.reset();
    discover.mutate(next);
  };
  const onStart = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (targetErrors.submitting(e.currentTarget, startCheck) && startInput) start.mutate(startInput);
  };
  // What the engine refuses at a field shows there; anything else beside the button.
  const discoverFailure = formFailure(discover.error, SERVICE_FIELDS);
  const startFailure = formFailure(start.error, TARGET_FIELDS);

  if (job) return <MigrationRun job={job} onAnother={() => (setJob(null), start.reset(), targetErrors.reset())} />;

  const layers = service && service.type !== 'folder' ? service.layers : [];
  const total = service && service.type !== 'folder' ? totalFeatures(service, selected) : null;
  return (
    <section className="migrate-view" aria-labelledby="migrate-title">
      <h2 id="migrate-title">Migrate from ArcGIS</h2>
      <p className="muted small">
        Copies FeatureServer or MapServer layers into one GeoPackage in the catalogue, page by page, checked against the server at the end.
      </p>

      <form onSubmit={onDiscover} noValidate aria-label="Service">
        <fieldset>
          <legend>1. Service</legend>
          <TextField
            label="Service URL"
            error={serviceErrors.errorFor('url')}
            help="A FeatureServer or MapServer (a layer URL or a services folder works too)."
            field="url"
            type="url"
            required
            value={url}
            placeholder="https://…/arcgis/rest/services/…/FeatureServer"
            onValue={(v) => (setUrl(v), serviceErrors.changed(['url']))}
            onBlur={() => serviceErrors.left(['url'])}
          />
          <Field
            label="Credentials"
            group
            error={serviceErrors.errorFor('token', 'username', 'password')}
            help={
              credential
                ? `Saved as ${credential.id} (${credential.label}); only the id is used from now on.`
                : 'Kept in the credential store; jobs refer to them by id.'
            }
          >
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
                  <input
                    aria-label="Token"
                    type="password"
                    autoComplete="off"
                    value={token}
                    placeholder={credential ? 'saved; paste a new one to replace it' : 'token'}
                    onChange={(e) => (setToken(e.target.value), serviceErrors.changed(['token']))}
                  />
                )}
                {choice === 'password' && (
                  <div className="choice">
                    <input
                      aria-label="User name"
                      autoComplete="username"
                      value={username}
                      onChange={(e) => (setUsername(e.target.value), serviceErrors.changed(['username']))}
                    />
                    <input
                      aria-label="Password"
                      type="password"
                      autoComplete="current-password"
                      value={password}
                      onChange={(e) => (setPassword(e.target.value), serviceErrors.changed(['password']))}
                    />
                  </div>
                )}
              </div>
            )}
          </Field>
          <div className="form-actions">
            <button type="submit" disabled={discover.isPending || url.trim() === ''}>
              {discover.isPending ? 'Reading the service…' : 'Discover layers'}
            </button>
            {discoverFailure && (
              <p className="field-error" role="alert">
                {errorText(discoverFailure)}
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
        <form aria-label="Layers and target" noValidate onSubmit={onStart}>
          <fieldset>
            <legend>
              2. Layers of {service.name} ({service.type})
            </legend>
            <LayerTable layers={layers} selected={selected} onSelect={setSelected} />
            {targetErrors.errorFor('params.layers') && (
              <p className="field-error" role="alert">
                {targetErrors.errorFor('params.layers')}
              </p>
            )}
            <p className="small muted">
              {selected.length} of {layers.length} selected{total !== null ? `, ${total.toLocaleString('en')} features` : ''}.
            </p>
          </fieldset>
          <fieldset>
            <legend>3. Target</legend>
            <TextField
              label="Dataset name"
              error={targetErrors.errorFor('params.name')}
              help="The GeoPackage's name in the catalogue; a second copy with the same name replaces the first (a refresh)."
              field="params.name"
              className={undefined}
              required
              value={name}
              onValue={(v) => (setName(v), targetErrors.changed(['params.name']))}
              onBlur={() => targetErrors.left(['params.name'])}
            />
            <TextField
              label="Where"
              error={targetErrors.errorFor('params.where')}
              help="An optional filter in the server's SQL (e.g. POP > 10000); all features when empty."
              field="params.where"
              value={where}
              placeholder="1=1"
              onValue={(v) => (setWhere(v), targetErrors.changed(['params.where']))}
              onBlur={() => targetErrors.left(['params.where'])}
            />
            <div className="form-actions">
              <button type="submit" className="primary" disabled={start.isPending || selected.length === 0 || name.trim() === ''}>
                Start the migration
              </button>
              {startFailure && (
                <p className="field-error" role="alert">
                  {errorText(startFailure)}
                </p>
              )}
            </div>
          </fieldset>
        </form>
      )}
    </section>
  );
}

/** "CODE: message" for the engine's errors (they carry a code); the message alone for anything else. */
function errorText(error: Error): string {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  return code ? `${code}: ${error.message}` : error.message;
}
