/**
 * A job's parameters as the operator reads them: labels, not field names; file names, not upload
 * ids (an ingest's staging items record each upload's own name); lists one entry a line; bytes in
 * units. The raw params stay one click away for whoever needs the exact values.
 */
import { useMemo } from 'react';
import type { JobSummary } from '../../shared/contract.js';
import { paramLabel, paramLines, uploadNames } from '../../shared/param-labels.js';
import { useJobItems } from '../data/job-queries.js';

/** Upload references to the files' own names: shared/param-labels.ts (the job reports name them the same way). */
export { uploadNames };

/** The Parameters panel of the job detail. */
export function Parameters({ job }: { job: JobSummary }) {
  // The same query (and cache entry) as the item table's: no second request.
  const items = useJobItems(job.id);
  const names = useMemo(() => uploadNames(items.data?.pages.flatMap((p) => p.rows) ?? []), [items.data]);
  const entries = Object.entries(job.params as Record<string, unknown>);
  return (
    <section className="panel params" aria-labelledby="params-title">
      <h3 id="params-title">Parameters</h3>
      <table className="kv">
        <tbody>
          {entries.map(([field, value]) => {
            const lines = paramLines(field, value, (ref) => names.get(ref));
            return (
              <tr key={field} data-field={field}>
                <th scope="row">{paramLabel(field)}</th>
                <td>
                  {lines.length === 1 ? (
                    lines[0]
                  ) : (
                    <ul className="param-list">
                      {lines.map((line, i) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: a param's lines are fixed for the job and may repeat
                        <li key={i}>{line}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
          <tr>
            <th scope="row">Priority</th>
            <td>{job.priority}</td>
          </tr>
        </tbody>
      </table>
      <details className="raw-params">
        <summary>As the engine has them</summary>
        <pre>{JSON.stringify(job.params, null, 2)}</pre>
      </details>
    </section>
  );
}
