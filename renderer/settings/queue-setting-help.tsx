/**
 * What Settings › Task queue does, said where it is edited: when a saved URL takes effect (jobs
 * started afterwards; running jobs finish where they started), that a password is shown as •••
 * and kept while ••• is left as it is, and, plainly, when the setting cannot take effect because
 * this run was started with `--queue`, which wins until Tessera starts without it.
 */
import { useQuery } from '@tanstack/react-query';
import { workersKey } from '../workers/workers-view.js';

export function QueueSettingHelp() {
  const workers = useQuery({ queryKey: workersKey, queryFn: () => window.tessera.workers.list({}) });
  const status = workers.data;
  return (
    <>
      Scale-out: <code>redis://HOST:PORT/DB</code> (<code>rediss://</code> for TLS) where <code>tessera worker</code> processes take raster, vector-partition
      and verify tasks (see Workers). Empty: this machine's own threads. Saved, it applies to jobs started afterwards; running jobs finish on the queue they
      started with. A password is kept sealed and shown as •••: leave ••• to keep it, type a new one to change it.
      {status?.source === 'option' && (
        <strong className="queue-override" data-testid="queue-override">
          {' '}
          This run uses <code>{status.queue}</code> from <code>--queue</code>: a change here takes effect only when Tessera starts without <code>--queue</code>.
        </strong>
      )}
    </>
  );
}
