/**
 * Settings › STAC publish: the remote STAC API (Transactions extension) the engine keeps up to
 * date with what it holds (stac.publishTarget / stac.setPublishTarget). Its own small form, saved
 * on its own: the token is sealed as a credential by the engine and never shown again (left empty,
 * the stored one is kept for the same URL). How the publishes go is the header's stac-publish pill.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { HealthCheck } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { formatTimeOfDay } from '../dates.js';
import { serverFieldErrors } from '../forms/field-errors.js';
import { Field } from '../forms/field.js';

/** How often health is asked while a publish started here has not reported yet. */
const PUBLISH_POLL_MS = 1_000;
/** After this long without a report the form stops asking (the header's own poll carries on). */
const PUBLISH_WAIT_MS = 30_000;
/** The health check the engine's publish service reports each publish to (main/stac/stac-publish-service.ts). */
const STAC_PUBLISH_CHECK = 'stac-publish';

/** Whether a publish started at `savedAt` has yet to report: no stac-publish check newer than it. */
export function publishPending(checks: readonly HealthCheck[] | undefined, savedAt: number | null, now = Date.now()): boolean {
  if (savedAt === null || now - savedAt > PUBLISH_WAIT_MS) return false;
  const check = checks?.find((h) => h.name === STAC_PUBLISH_CHECK);
  return check === undefined || Date.parse(check.checkedAt) < savedAt;
}

export function StacPublishSettings() {
  const queryClient = useQueryClient();
  const target = useQuery({ queryKey: ['stac.publishTarget'], queryFn: () => window.tessera.stac.publishTarget({}), retry: false });
  const [url, setUrl] = useState<string | null>(null);
  const [token, setToken] = useState('');
  // When the target was last saved: the publish it starts runs in the engine, and its end shows as
  // a newer stac-publish health check, asked for every second meanwhile (the header's pill, which
  // reads the same query, then follows at once instead of at its 30 s poll).
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const health = useQuery({
    queryKey: queryKey('app.health'),
    queryFn: () => window.tessera.app.health({}),
    refetchInterval: (query) => (publishPending(query.state.data, savedAt) ? PUBLISH_POLL_MS : false),
  });
  const set = useMutation({
    mutationFn: (input: { url: string | null; token?: string }) => window.tessera.stac.setPublishTarget(input),
    onSuccess: (next) => {
      queryClient.setQueryData(['stac.publishTarget'], next);
      setSavedAt(next ? Date.now() : null);
      void queryClient.invalidateQueries({ queryKey: queryKey('app.health') });
      setUrl(null);
      setToken('');
    },
  });
  const check = health.data?.find((h) => h.name === STAC_PUBLISH_CHECK);
  const pending = publishPending(health.data, savedAt);
  const shownUrl = url ?? target.data?.url ?? '';
  const fieldErrors = serverFieldErrors(set.error) ?? {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    set.mutate({ url: shownUrl.trim(), ...(token !== '' && { token }) });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="STAC publish" data-testid="stac-publish-settings">
      <fieldset>
        <legend>STAC publish</legend>
        <Field
          label="STAC API"
          error={fieldErrors.url}
          help={
            <>
              A STAC API with the Transactions extension (a team's server, or another Tessera's <code>/stac</code>): the datasets and tile caches are published
              there, and again after each change. {target.data ? `Now: ${target.data.url}${target.data.hasToken ? ' (with a token)' : ''}.` : 'Now: off.'}
            </>
          }
        >
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              className="wide"
              value={shownUrl}
              placeholder="https://stac.example.org/"
              spellCheck={false}
              onChange={(e) => setUrl(e.target.value)}
            />
          )}
        </Field>
        <Field label="Bearer token" error={fieldErrors.token} help="Sealed like the Esri credentials; left empty, the stored token stays.">
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              type="password"
              autoComplete="off"
              value={token}
              placeholder={target.data?.hasToken ? 'stored' : 'none'}
              onChange={(e) => setToken(e.target.value)}
            />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" disabled={set.isPending || shownUrl.trim() === ''}>
            {set.isPending ? 'Saving…' : 'Publish there'}
          </button>
          <button type="button" disabled={set.isPending || !target.data} onClick={() => set.mutate({ url: null })}>
            Stop publishing
          </button>
        </div>
        {target.data && (pending || check) && (
          <p className={pending ? 'muted' : check?.state === 'failed' ? 'error' : 'saved'} role="status" data-testid="stac-publish-result">
            {pending ? 'Publishing…' : `Last publish (${formatTimeOfDay(check!.checkedAt)}): ${check!.state === 'failed' ? 'failed: ' : ''}${check!.message}`}
          </p>
        )}
        {set.error && Object.keys(fieldErrors).length === 0 && (
          <p className="error" role="alert">
            Not saved: {set.error.message}
          </p>
        )}
      </fieldset>
    </form>
  );
}
