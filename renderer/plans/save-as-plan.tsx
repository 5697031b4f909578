/**
 * "Save as plan…" (issue 17), on a job's page and on the preseed form: the job as a plan file,
 * shown before it is saved so the operator sees what a reconcile would start. Save to folder writes
 * it into one of the plan source folders the engine keeps reconciled (never over a file: a name in
 * use is refused and can be changed here), and the plan sync then applies it; Download saves it
 * anywhere, Copy puts it on the clipboard for a git commit.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadReport } from '../reports/report-file.js';
import './save-as-plan.css';

/** Where the plan text comes from: a finished job (plans.fromJob) or a form not started (plans.fromInput). */
export interface PlanOrigin {
  queryKey: readonly unknown[];
  load(): Promise<{ fileName: string; yaml: string }>;
  /** Said above the text: "starts this job again", "starts this preseed". */
  what: string;
}

/** A folder source (git sources are written by a commit, not by Tessera). */
export function isFolderSource(source: string): boolean {
  return source.startsWith('/') || /^[A-Za-z]:[\\/]/.test(source);
}

/**
 * The file name offered: the engine names a plan after its job ("preseed-raster-bluemarble.tif-
 * bm.mbtiles.yaml"), hard to read in a folder listing; the output file's stem ("bm.yaml") says the
 * same shorter. The engine's name stays when the plan has no output line; either can be edited.
 */
export function suggestedFileName(fileName: string, yaml: string): string {
  const output = /^\s*output:\s*['"]?([^'"\n]+?)['"]?\s*$/m.exec(yaml)?.[1];
  const base = output?.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-');
  return stem === '' ? fileName : `${stem}.yaml`;
}

export function SaveAsPlanPanel({ origin, onClose }: { origin: PlanOrigin; onClose: () => void }) {
  const plan = useQuery({ queryKey: ['save-as-plan', ...origin.queryKey], queryFn: () => origin.load(), retry: false });
  const sources = useQuery({ queryKey: ['plans.sources'], queryFn: () => window.tessera.plans.sources({}), retry: false });
  const folders = (sources.data ?? []).filter(isFolderSource);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const [folder, setFolder] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const chosenFolder = folder ?? folders[0] ?? '';
  const chosenName = fileName ?? (plan.data ? suggestedFileName(plan.data.fileName, plan.data.yaml) : '');
  const save = useMutation({ mutationFn: (input: { source: string; fileName: string; yaml: string }) => window.tessera.plans.save(input) });
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
        A plan file that {origin.what}. Save it into a plan source folder (Settings › Plan sources) to keep it reconciled; add a <code>schedule</code> to run it
        on a clock.
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
          {folders.length > 0 ? (
            <div className="plan-save-to" data-testid="plan-save-to">
              <label>
                Folder
                <select value={chosenFolder} title={chosenFolder} onChange={(e) => setFolder(e.target.value)}>
                  {folders.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                File name
                <input value={chosenName} onChange={(e) => setFileName(e.target.value)} spellCheck={false} />
              </label>
              <button
                type="button"
                className="primary"
                disabled={save.isPending || save.isSuccess}
                onClick={() => save.mutate({ source: chosenFolder, fileName: chosenName, yaml: plan.data.yaml })}
              >
                {save.isPending ? 'Saving…' : 'Save to folder'}
              </button>
            </div>
          ) : (
            <p className="muted small">No plan source folder is set up (Settings › Plan sources): download the file or copy it instead.</p>
          )}
          {save.isSuccess && (
            <p className="muted small" role="status" data-testid="plan-saved">
              Saved as {save.data.path}; the plan sync applies it now.
            </p>
          )}
          {save.error && (
            <p className="error" role="alert">
              Not saved: {save.error.message}
            </p>
          )}
          <div className="dialog-actions">
            <button
              type="button"
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
