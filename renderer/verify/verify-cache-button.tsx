/**
 * "Verify this cache": starts a verify job (decode every tile, report corrupt, empty and oversized
 * ones) of a cache from the window, then opens the job. Used by the Map screen and by a job's
 * output; while a console holds the data directory, `tessera verify` in a terminal cannot run.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { seedJob } from '../data/job-queries.js';
import { useUi } from '../ui-store.js';

/** The job's name: the cache's last path part, so the queue tells two verifies apart. */
export function verifyJobName(cachePath: string): string {
  const parts = cachePath.replace(/[/\\]+$/, '').split(/[/\\]/);
  return `verify ${parts[parts.length - 1] || cachePath}`.slice(0, 200);
}

export function VerifyCacheButton({ cachePath, label = 'Verify this cache' }: { cachePath: string; label?: string }) {
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: () => window.tessera.jobs.start({ kind: 'verify', name: verifyJobName(cachePath), params: { cache: cachePath } }),
    onSuccess: (job) => {
      seedJob(queryClient, job);
      useUi.getState().navigate({ name: 'job', jobId: job.id });
    },
  });
  return (
    <>
      <button
        type="button"
        onClick={() => start.mutate()}
        disabled={start.isPending}
        title={`Start a job that decodes every tile of ${cachePath}`}
        data-testid="verify-cache"
      >
        {start.isPending ? 'Starting…' : label}
      </button>
      {start.error && (
        <span className="error small" role="alert">
          Could not start the verify: {start.error.message}
        </span>
      )}
    </>
  );
}
