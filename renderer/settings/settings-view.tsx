/**
 * The engine's settings as a form: how many jobs run at once (overall and per kind), the cache
 * quota, the free-space floor, the ingest quota per job, how long finished jobs are kept, and metrics. Checked with the
 * contract's schema before it is sent, and a refusal from the engine lands next to its field too.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAppInfo } from '../data/app-info.js';
import { queryKey } from '../data/query-keys.js';
import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { JOB_KINDS, type Settings } from '../../shared/contract.js';
import { BYTE_UNITS, formatBytes } from '../storage/bytes.js';
import { focusFirstInvalid, formFailure } from '../forms/field-errors.js';
import { useFormErrors } from '../forms/use-form-errors.js';
import { type SettingsForm, formFromSettings, patchFromForm, validatePatch } from './settings-form.js';
import { Field } from '../forms/field.js';
import { CheckField, NumberField, NumberInput, TextField } from '../forms/inputs.js';
import { workersKey } from '../workers/workers-view.js';
import { QueueSettingHelp } from './queue-setting-help.js';
import { refreshStorage } from '../shell/refresh-storage.js';
import { ByteSize, SwitchedField } from './settings-fields.js';
import { StacPublishSettings } from './stac-publish-settings.js';
import { storageWarnings } from './storage-warnings.js';
import '../controls.css';
import './settings-view.css';
import { LoadError } from '../shell/load-error.js';
import { formatTimeOfDay } from '../dates.js';

/** The query key of settings.get. */
export const settingsKey = queryKey('settings.get');

/** The settings screen for `#/settings`. */
export function SettingsView() {
  const queryClient = useQueryClient();
  const info = useAppInfo();
  const settings = useQuery({ queryKey: settingsKey, queryFn: () => window.tessera.settings.get({}) });
  /** The settings the form started from; edits are compared with them. */
  const [base, setBase] = useState<Settings | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const [savedWarnings, setSavedWarnings] = useState<string[]>([]);
  // The warnings the operator was shown on a save; the same ones again on the next save mean "save anyway".
  const [warned, setWarned] = useState<string | null>(null);
  const storage = useQuery({ queryKey: queryKey('storage.status'), queryFn: () => window.tessera.storage.status({}) });

  useEffect(() => {
    if (base === null && settings.data) {
      setBase(settings.data);
      setForm(formFromSettings(settings.data));
    }
  }, [base, settings.data]);

  const baseForm = useMemo(() => (base ? formFromSettings(base) : null), [base]);
  const patch = useMemo(() => (form && baseForm ? patchFromForm(form, baseForm) : {}), [form, baseForm]);
  const clientErrors = useMemo(() => validatePatch(patch), [patch]);
  const errors = useFormErrors(clientErrors);
  const dirty = Object.keys(patch).length > 0;
  // Only what this save changes is warned of: an old floor nobody touched does not hold up a save.
  const warnings = useMemo(
    () =>
      storage.data && form
        ? storageWarnings(
            'freeSpaceFloorBytes' in patch ? Number(form.floor) * BYTE_UNITS[form.floorUnit] : Number.NaN,
            'cacheQuotaBytes' in patch && form.quotaOn ? Number(form.quota) * BYTE_UNITS[form.quotaUnit] : null,
            storage.data,
          )
        : [],
    [patch, form, storage.data],
  );
  const warningKey = warnings.map((w) => w.message).join('\n');

  const save = useMutation({
    mutationFn: (p: typeof patch) => window.tessera.settings.update(p),
    onSuccess: ({ warnings: said = [], ...next }) => {
      setSavedWarnings(said);
      queryClient.setQueryData(settingsKey, next);
      setBase(next);
      setForm(formFromSettings(next));
      errors.reset();
      setSavedAt(new Date());
      // What the settings feed: the storage gauges' floor, the queue's limit, the metrics health.
      // Quotas and the floor change what a dry run concludes, so open estimates are redone.
      refreshStorage(queryClient);
      // A new task queue is in use at once: the Workers screen reads it again.
      for (const key of [queryKey('queue.get'), queryKey('jobs.estimate'), workersKey]) void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: errors.rejected,
  });

  if (settings.isPending)
    return (
      <section className="settings-view">
        <p className="muted">Loading settings…</p>
      </section>
    );
  if (settings.error) {
    return (
      <section className="settings-view">
        <LoadError what="load the settings" error={settings.error} retry={() => void settings.refetch()} />
      </section>
    );
  }
  if (!form || !baseForm) return null;

  // Errors show as the forms kit says: the form's own once a field was edited or a save tried, the engine's until the field is edited.
  const errorFor = errors.errorFor;
  const edit = (change: Partial<SettingsForm>, fields: string[]) => {
    setForm({ ...form, ...change });
    setSavedAt(null);
    errors.edited(fields);
  };
  const serverOther = formFailure(save.error)?.message ?? null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    errors.submitted();
    setSavedAt(null);
    if (Object.keys(clientErrors).length > 0) {
      focusFirstInvalid(event.currentTarget, clientErrors);
      return;
    }
    if (!dirty) return;
    if (warningKey !== '' && warned !== warningKey) {
      setWarned(warningKey);
      return;
    }
    errors.clearServer();
    save.mutate(patch);
  };
  const reset = () => {
    const latest = settings.data ?? base!;
    setBase(latest);
    setForm(formFromSettings(latest));
    errors.reset();
    setSavedAt(null);
    save.reset();
  };

  return (
    <section className="settings-view" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form onSubmit={submit} noValidate aria-describedby={serverOther ? 'settings-error' : undefined}>
        <fieldset>
          <legend>Data</legend>
          <Field
            label="Data directory"
            help={
              <>
                Chosen when Tessera starts, with <code>--data-dir</code> or <code>TESSERA_DATA_DIR</code>; it cannot be changed here.
              </>
            }
          >
            {(id, describedBy) => (
              <input id={id} aria-describedby={describedBy} className="wide" readOnly value={info.data?.dataDir ?? '…'} data-testid="data-dir" />
            )}
          </Field>
          <LinesField
            label="Data roots"
            field="dataRoots"
            error={errorFor('dataRoots')}
            help={
              <>
                One absolute folder per line. When set (and always on a console served with <code>--host</code>), jobs, uploads and the map read and write only
                inside these folders and the data directory.
              </>
            }
            rows={3}
            placeholder={'/srv/geodata\n/srv/tiles'}
            value={form.dataRoots}
            onValue={(dataRoots) => edit({ dataRoots }, ['dataRoots'])}
          />
          <CheckField
            label="GDAL virtual paths"
            error={errorFor('allowGdalVirtualPaths')}
            help={
              <>
                Let jobs name <code>/vsicurl/</code>, <code>/vsis3/</code> and other GDAL virtual file systems or connections; the server then fetches what they
                point at.
              </>
            }
            field="allowGdalVirtualPaths"
            checked={form.allowGdalVirtualPaths}
            onChecked={(allowGdalVirtualPaths) => edit({ allowGdalVirtualPaths }, ['allowGdalVirtualPaths'])}
          >
            allow
          </CheckField>
          <LinesField
            label="Plan sources"
            field="planSources"
            error={errorFor('planSources')}
            help={
              <>
                Folders of plan files, or git repositories (<code>URL#branch:folder</code>), one per line: kept reconciled and on schedule while Tessera runs
                (see Plans). Removing one stops it; its jobs and outputs stay.
              </>
            }
            rows={2}
            placeholder={'/srv/tile-plans\nhttps://git.example.com/gis/plans.git#main:seed'}
            value={form.planSources}
            onValue={(planSources) => edit({ planSources }, ['planSources'])}
          />
          <TextField
            label="Task queue"
            field="queue"
            error={errorFor('queue')}
            help={<QueueSettingHelp />}
            placeholder="redis://queue.example:6379/0"
            spellCheck={false}
            value={form.queue}
            onValue={(queue) => edit({ queue }, ['queue'])}
          />
        </fieldset>

        <fieldset>
          <legend>Jobs</legend>
          <NumberField
            label="Jobs running at once"
            error={errorFor('maxRunningJobs')}
            help="1 to 64; queued jobs wait for a free slot."
            field="maxRunningJobs"
            min={1}
            max={64}
            value={form.maxRunningJobs}
            onValue={(maxRunningJobs) => edit({ maxRunningJobs }, ['maxRunningJobs'])}
          />
          {JOB_KINDS.map((kind) => {
            const field = `maxRunningPerKind.${kind}`;
            return (
              <NumberField
                key={kind}
                label={`${kind.charAt(0).toUpperCase()}${kind.slice(1)} jobs at once`}
                error={errorFor(field) ?? errors.visible.maxRunningPerKind}
                help="Empty: only the overall limit applies."
                field={field}
                min={1}
                max={64}
                placeholder="no limit"
                value={form.perKind[kind]}
                onValue={(v) => edit({ perKind: { ...form.perKind, [kind]: v } }, [field, 'maxRunningPerKind'])}
              />
            );
          })}
          <SwitchedField
            label="Keep finished jobs"
            error={errorFor('retentionDays')}
            help="Deleting old jobs removes their items, event log and tile issues."
            name="retention"
            off="forever"
            on="for"
            isOn={form.retentionOn}
            onSwitch={(retentionOn) => edit({ retentionOn }, ['retentionDays'])}
          >
            {(describedBy, invalid) => (
              <>
                <NumberInput
                  aria-label="Days to keep finished jobs"
                  field="retentionDays"
                  describedBy={describedBy}
                  invalid={invalid}
                  min={1}
                  step={1}
                  className="short"
                  disabled={!form.retentionOn}
                  value={form.retentionDays}
                  onValue={(retentionDays) => edit({ retentionDays }, ['retentionDays'])}
                />{' '}
                days
              </>
            )}
          </SwitchedField>
        </fieldset>

        <fieldset>
          <legend>Storage</legend>
          <SwitchedField
            label="Cache quota"
            error={errorFor('cacheQuotaBytes')}
            help="How much all caches and catalogue data in the data directory may take; jobs that write are refused beyond it."
            name="quota"
            off="none"
            on="limit to"
            isOn={form.quotaOn}
            onSwitch={(quotaOn) => edit({ quotaOn }, ['cacheQuotaBytes'])}
          >
            {(describedBy, invalid) => (
              <ByteSize
                label="Cache quota"
                field="cacheQuotaBytes"
                describedBy={describedBy}
                invalid={invalid}
                disabled={!form.quotaOn}
                value={form.quota}
                unit={form.quotaUnit}
                onChange={(change) => edit({ quota: change.value ?? form.quota, quotaUnit: change.unit ?? form.quotaUnit }, ['cacheQuotaBytes'])}
              />
            )}
          </SwitchedField>
          <Field
            label="Free-space floor"
            error={errorFor('freeSpaceFloorBytes')}
            help="Kept free on every volume Tessera writes to: jobs wait rather than write below it."
          >
            {(id, describedBy, invalid) => (
              <div className="choice">
                <ByteSize
                  id={id}
                  label="Free-space floor"
                  field="freeSpaceFloorBytes"
                  describedBy={describedBy}
                  invalid={invalid}
                  value={form.floor}
                  unit={form.floorUnit}
                  onChange={(change) => edit({ floor: change.value ?? form.floor, floorUnit: change.unit ?? form.floorUnit }, ['freeSpaceFloorBytes'])}
                />
              </div>
            )}
          </Field>
          <SwitchedField
            label="Ingest quota per job"
            error={errorFor('ingestJobQuotaBytes')}
            help="What one ingest job (or one upload) may stage and import; a file that does not fit is refused before it is copied. A job may ask for less."
            name="ingestQuota"
            off="none"
            on="limit to"
            isOn={form.ingestQuotaOn}
            onSwitch={(ingestQuotaOn) => edit({ ingestQuotaOn }, ['ingestJobQuotaBytes'])}
          >
            {(describedBy, invalid) => (
              <ByteSize
                label="Ingest quota per job"
                unitLabel="Ingest quota unit"
                field="ingestJobQuotaBytes"
                describedBy={describedBy}
                invalid={invalid}
                disabled={!form.ingestQuotaOn}
                value={form.ingestQuota}
                unit={form.ingestQuotaUnit}
                onChange={(change) =>
                  edit({ ingestQuota: change.value ?? form.ingestQuota, ingestQuotaUnit: change.unit ?? form.ingestQuotaUnit }, ['ingestJobQuotaBytes'])
                }
              />
            )}
          </SwitchedField>
          {warnings.length > 0 && (
            <ul className="settings-warnings" aria-label="Before you save" data-testid="settings-warnings">
              {warnings.map((w) => (
                <li key={w.message} className="warning small" data-for={w.field} role="alert">
                  {w.message}
                </li>
              ))}
            </ul>
          )}
        </fieldset>

        <fieldset>
          <legend>Monitoring</legend>
          <CheckField
            label="Metrics"
            error={errorFor('metricsEnabled')}
            help={
              <>
                Prometheus metrics at <code>/metrics</code> of the headless console (the token is needed there too).
              </>
            }
            field="metricsEnabled"
            checked={form.metricsEnabled}
            onChecked={(metricsEnabled) => edit({ metricsEnabled }, ['metricsEnabled'])}
          >
            serve metrics
          </CheckField>
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="primary" disabled={save.isPending || (!dirty && !errors.tried)}>
            {save.isPending ? 'Saving…' : warningKey !== '' && warned === warningKey ? 'Save anyway' : 'Save'}
          </button>
          <button type="button" onClick={reset} disabled={save.isPending || (!dirty && Object.keys(errors.server).length === 0)}>
            Reset
          </button>
          <span role="status" className="saved" data-testid="save-status">
            {savedAt && `Saved at ${formatTimeOfDay(savedAt)}${savedWarnings.length > 0 ? `, but: ${savedWarnings.join(' ')}` : ''}`}
            {!savedAt && dirty && <span className="muted">Unsaved changes</span>}
          </span>
        </div>
        {warningKey !== '' && warned === warningKey && (
          <p className="warning" role="alert" data-testid="settings-confirm">
            Not saved yet: read the warnings above, then Save anyway to keep these values.
          </p>
        )}
        {serverOther && (
          <p id="settings-error" className="error" role="alert">
            Could not save: {serverOther}
          </p>
        )}
        {errors.tried && Object.keys(clientErrors).length > 0 && (
          <p className="error" role="alert">
            Nothing was saved: fix the fields marked above.
          </p>
        )}
      </form>
      <StacPublishSettings />
      {base && (
        <p className="muted small">
          Free-space floor now: {formatBytes(base.freeSpaceFloorBytes)}; cache quota now:{' '}
          {base.cacheQuotaBytes === null ? 'none' : formatBytes(base.cacheQuotaBytes)}.
        </p>
      )}
    </section>
  );
}

/** A setting that is a list, typed one entry per line (data roots, plan sources). */
function LinesField({
  label,
  field,
  error,
  help,
  rows,
  placeholder,
  value,
  onValue,
}: {
  label: string;
  field: string;
  error: string | undefined;
  help: ReactNode;
  rows: number;
  placeholder: string;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <Field label={label} error={error} help={help}>
      {(id, describedBy, invalid) => (
        <textarea
          id={id}
          data-field={field}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          className="wide"
          rows={rows}
          spellCheck={false}
          placeholder={placeholder}
          value={value}
          onChange={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
