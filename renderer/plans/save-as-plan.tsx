/**
 * "Save as plan…" (issue 17), on a job's page and on the preseed form: the job as a plan file,
 * shown before it is saved so the operator sees what a reconcile would start. Save to folder writes
 * it into one of the plan source folders the engine keeps reconciled (never over a file: a name in
 * use is refused and can be changed here), and the plan sync then applies it; Download saves it
 * anywhere, Copy puts it on the clipboard for a git commit.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { PLAN_NAME, PLAN_NAME_RULE, renamePlan } from '../../shared/plan-name.js';
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

/** The file a plan of this name is saved as. */
const fileOf = (name: string) => `${name}.yaml`;

export function SaveAsPlanPanel({ origin, onClose }: { origin: PlanOrigin; onClose: () => void }) {
  const plan = useQuery({ queryKey: ['save-as-plan', ...origin.queryKey], queryFn: () => origin.load(), retry: false });
  const sources = useQuery({ queryKey: ['plans.sources'], queryFn: () => window.tessera.plans.sources({}), retry: false });
  const folders = (sources.data ?? []).filter(isFolderSource);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const [folder, setFolder] = useState<string | null>(null);
  // The plan's name, edited here: the YAML's `name:` and the file name follow it together (the
  // plan sync knows a plan by its name; its file is that name, so the two never disagree).
  const [editedName, setName] = useState<string | null>(null);
  const chosenFolder = folder ?? folders[0] ?? '';
  const engineName = plan.data ? plan.data.fileName.replace(/\.yaml$/, '') : '';
  const name = (editedName ?? engineName).trim();
  const nameError = name === '' ? 'give the plan a name' : PLAN_NAME.test(name) ? null : PLAN_NAME_RULE;
  const yaml = plan.data ? renamePlan(plan.data.yaml, name) : '';
  const chosenName = fileOf(name);
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
          <label className="plan-name">
            Plan name
            <span className="plan-name-input">
              <input
                value={editedName ?? engineName}
                onChange={(e) => setName(e.target.value)}
                spellCheck={false}
                aria-invalid={nameError !== null}
                aria-describedby="plan-name-help"
                data-testid="plan-name"
              />
              <span className="muted">.yaml</span>
            </span>
          </label>
          <p id="plan-name-help" className={nameError ? 'error small' : 'muted small'}>
            {nameError ?? 'The name inside the file and the file’s name; its jobs are named after it.'}
          </p>
          <pre className="plan-text" data-testid="plan-text" title={chosenName}>
            {yaml}
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
              <span className="plan-file" title={`${chosenFolder}/${chosenName}`}>
                as <strong>{chosenName}</strong>
              </span>
              <button
                type="button"
                className="primary"
                disabled={save.isPending || (save.isSuccess && save.variables?.fileName === chosenName) || nameError !== null}
                onClick={() => save.mutate({ source: chosenFolder, fileName: chosenName, yaml })}
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
              disabled={nameError !== null}
              onClick={() => downloadReport({ fileName: chosenName, mimeType: 'application/yaml', encoding: 'utf8', content: yaml })}
            >
              Download {chosenName}
            </button>
            <button type="button" onClick={() => void copy(yaml)}>
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
