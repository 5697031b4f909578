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
import { BYTE_UNITS, type ByteUnit, formatBytes } from '../storage/bytes.js';
import { focusFirstInvalid, formFailure } from '../forms/field-errors.js';
import { useFormErrors } from '../forms/use-form-errors.js';
import { type SettingsForm, formFromSettings, patchFromForm, validatePatch } from './settings-form.js';
import { Field } from '../forms/field.js';
import { CheckField, NumberField, NumberInput } from '../forms/inputs.js';
import '../controls.css';
import './settings-view.css';
import { LoadError } from '../shell/load-error.js';

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

  const save = useMutation({
    mutationFn: (p: typeof patch) => window.tessera.settings.update(p),
    onSuccess: (next) => {
      queryClient.setQueryData(settingsKey, next);
      setBase(next);
      setForm(formFromSettings(next));
      errors.reset();
      setSavedAt(new Date());
      // What the settings feed: the storage gauges' floor, the queue's limit, the metrics health.
      // Quotas and the floor change what a dry run concludes, so open estimates are redone.
      for (const key of [queryKey('storage.status'), queryKey('queue.get'), queryKey('app.health'), queryKey('jobs.estimate')])
        void queryClient.invalidateQueries({ queryKey: key });
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
          <Field
            label="Data roots"
            error={errorFor('dataRoots')}
            help={
              <>
                One absolute folder per line. When set (and always on a console served with <code>--host</code>), jobs, uploads and the map read and write only
                inside these folders and the data directory.
              </>
            }
          >
            {(id, describedBy, invalid) => (
              <textarea
                id={id}
                data-field="dataRoots"
                aria-describedby={describedBy}
                aria-invalid={invalid}
                className="wide"
                rows={3}
                spellCheck={false}
                placeholder={'/srv/geodata\n/srv/tiles'}
                value={form.dataRoots}
                onChange={(e) => edit({ dataRoots: e.currentTarget.value }, ['dataRoots'])}
              />
            )}
          </Field>
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
                label={`${kind} jobs at once`}
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
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={reset} disabled={save.isPending || (!dirty && Object.keys(errors.server).length === 0)}>
            Reset
          </button>
          <span role="status" className="saved" data-testid="save-status">
            {savedAt && `Saved at ${savedAt.toLocaleTimeString()}`}
            {!savedAt && dirty && <span className="muted">Unsaved changes</span>}
          </span>
        </div>
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
      {base && (
        <p className="muted small">
          Free-space floor now: {formatBytes(base.freeSpaceFloorBytes)}; cache quota now:{' '}
          {base.cacheQuotaBytes === null ? 'none' : formatBytes(base.cacheQuotaBytes)}.
        </p>
      )}
    </section>
  );
}

/** A row whose value is switched off or on by two radios (`off` and `on` their words), the value's controls after them. */
function SwitchedField({
  label,
  error,
  help,
  name,
  off,
  on,
  isOn,
  onSwitch,
  children,
}: {
  label: string;
  error: string | undefined;
  help: string;
  name: string;
  off: string;
  on: string;
  isOn: boolean;
  onSwitch: (on: boolean) => void;
  children: (describedBy: string, invalid: boolean) => ReactNode;
}) {
  return (
    <Field group label={label} error={error} help={help}>
      {(id, describedBy, invalid) => (
        <div className="choice" role="radiogroup" aria-labelledby={`${id}-label`} id={id}>
          <label>
            <input type="radio" name={name} checked={!isOn} onChange={() => onSwitch(false)} /> {off}
          </label>
          <label>
            <input type="radio" name={name} checked={isOn} onChange={() => onSwitch(true)} /> {on}
          </label>
          {children(describedBy, invalid)}
        </div>
      )}
    </Field>
  );
}

/** A size in bytes as typed: a number (labelled `label`, unless `id` ties it to its row's label) and its unit. */
function ByteSize({
  id,
  label,
  unitLabel = `${label} unit`,
  field,
  describedBy,
  invalid,
  disabled,
  value,
  unit,
  onChange,
}: {
  id?: string;
  label: string;
  unitLabel?: string;
  field: string;
  describedBy: string;
  invalid: boolean;
  disabled?: boolean;
  value: string;
  unit: ByteUnit;
  onChange: (change: { value?: string; unit?: ByteUnit }) => void;
}) {
  return (
    <>
      <NumberInput
        {...(id === undefined ? { 'aria-label': label } : { id })}
        field={field}
        describedBy={describedBy}
        invalid={invalid}
        min={0}
        step="any"
        className="short"
        disabled={disabled}
        value={value}
        onValue={(v) => onChange({ value: v })}
      />
      <UnitPicker label={unitLabel} value={unit} disabled={disabled} onChange={(u) => onChange({ unit: u })} />
    </>
  );
}

function UnitPicker({ label, value, disabled, onChange }: { label: string; value: ByteUnit; disabled?: boolean; onChange: (unit: ByteUnit) => void }) {
  return (
    <select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value as ByteUnit)}>
      {(Object.keys(BYTE_UNITS) as ByteUnit[]).map((u) => (
        <option key={u} value={u}>
          {u}
        </option>
      ))}
    </select>
  );
}
