/**
 * Settings › STAC publish: the remote STAC API (Transactions extension) the engine keeps up to
 * date with what it holds (stac.publishTarget / stac.setPublishTarget). Its own small form, saved
 * on its own: the token is sealed as a credential by the engine and never shown again (left empty,
 * the stored one is kept for the same URL). How the publishes go is the header's stac-publish pill.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { serverFieldErrors } from '../forms/field-errors.js';
import { Field } from '../forms/field.js';

export function StacPublishSettings() {
  const queryClient = useQueryClient();
  const target = useQuery({ queryKey: ['stac.publishTarget'], queryFn: () => window.tessera.stac.publishTarget({}), retry: false });
  const [url, setUrl] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const set = useMutation({
    mutationFn: (input: { url: string | null; token?: string }) => window.tessera.stac.setPublishTarget(input),
    onSuccess: (next) => {
      queryClient.setQueryData(['stac.publishTarget'], next);
      void queryClient.invalidateQueries({ queryKey: ['app.health'] });
      setUrl(null);
      setToken('');
    },
  });
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
        {set.error && Object.keys(fieldErrors).length === 0 && (
          <p className="error" role="alert">
            Not saved: {set.error.message}
          </p>
        )}
      </fieldset>
    </form>
  );
}
