/**
 * "Save as plan…" (issue 17): the job as a plan file, shown before it is saved so the operator sees
 * what a reconcile would start; Download saves it (into a plan source folder, which the engine then
 * keeps reconciled), Copy puts it on the clipboard for a git commit.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadReport } from '../reports/report-file.js';

export function SaveAsPlanPanel({ jobId, onClose }: { jobId: number; onClose: () => void }) {
  const plan = useQuery({ queryKey: ['plans.fromJob', jobId], queryFn: () => window.tessera.plans.fromJob({ id: jobId }), retry: false });
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      // Clipboard access needs a secure context and focus; the text stays selectable.
      setCopied('failed');
    }
  };
  return (
    <section className="panel save-as-plan" role="dialog" aria-labelledby="save-as-plan-title" data-testid="save-as-plan">
      <h3 id="save-as-plan-title">Save as plan</h3>
      <p className="muted small">
        A plan file that starts this job again. Put it in a plan source folder (Settings › Plan sources) to keep it reconciled; add a <code>schedule</code> to
        run it on a clock.
      </p>
      {plan.isPending && <p className="muted small">Writing the plan…</p>}
      {plan.error && (
        <p className="error" role="alert">
          No plan: {plan.error.message.replace(/^id: /, '')}
        </p>
      )}
      {plan.data && (
        <>
          <pre className="plan-text" data-testid="plan-text" title={plan.data.fileName}>
            {plan.data.yaml}
          </pre>
          <div className="dialog-actions">
            <button
              type="button"
              className="primary"
              onClick={() => downloadReport({ fileName: plan.data.fileName, mimeType: 'application/yaml', encoding: 'utf8', content: plan.data.yaml })}
            >
              Download {plan.data.fileName}
            </button>
            <button type="button" onClick={() => void copy(plan.data.yaml)}>
              {copied === 'yes' ? 'Copied' : 'Copy'}
            </button>
            <button type="button" onClick={onClose}>
              Close
            </button>
          </div>
          {copied === 'failed' && <p className="muted small">The clipboard is not available here: select the text and copy it.</p>}
        </>
      )}
      {plan.error && (
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </section>
  );
}
