/**
 * The list of input paths (datasets or sources), one field each so the engine's error for
 * `params.datasets.2` lands on the third; pasting several lines makes several rows.
 */
import type { ClipboardEvent } from 'react';
import { BrowseButton } from '../forms/browse-button.js';
import { type DatasetVerdicts, type ErrorProps, PATHS_LIST } from './preseed-parts.js';

export interface PathListProps extends ErrorProps {
  field: 'params.datasets' | 'params.sources';
  noun: string;
  paths: string[];
  onChange: (paths: string[], groups: string[]) => void;
  verdicts: DatasetVerdicts;
}

export function PathList({ field, noun, paths, onChange, errorFor, invalid, verdicts }: PathListProps) {
  const set = (i: number, value: string) =>
    onChange(
      paths.map((p, j) => (j === i ? value : p)),
      [`${field}.${i}`],
    );
  const onPaste = (i: number, e: ClipboardEvent<HTMLInputElement>) => {
    const lines = e.clipboardData
      .getData('text')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length < 2) return;
    e.preventDefault();
    onChange([...paths.slice(0, i), ...lines, ...paths.slice(i + 1)], [field]);
  };
  return (
    <ol className="path-list">
      {paths.map((p, i) => {
        const name = `${field}.${i}`;
        const error = errorFor(name) ?? (i === 0 ? errorFor(field) : undefined);
        const verdict = verdicts?.[i]?.path === p.trim() ? verdicts[i]!.error : null;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: a row is a position: its field name, error and label go by index, its input is controlled
          <li key={i} className={error ? 'has-error' : undefined}>
            <div className="path-row">
              <input
                data-field={name}
                aria-label={`${noun} ${i + 1}`}
                aria-invalid={invalid(name)}
                aria-describedby={error ? `${name}-error` : verdict ? `${name}-verdict` : undefined}
                className="wide"
                list={PATHS_LIST}
                spellCheck={false}
                placeholder={i === 0 ? `/path/to/${noun === 'Dataset' ? 'dem.tif' : 'countries.gpkg'}` : undefined}
                value={p}
                onChange={(e) => set(i, e.currentTarget.value)}
                onPaste={(e) => onPaste(i, e)}
              />
              <button
                type="button"
                aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`}
                title="Remove"
                disabled={paths.length === 1}
                onClick={() =>
                  onChange(
                    paths.filter((_, j) => j !== i),
                    [field],
                  )
                }
              >
                ×
              </button>
            </div>
            {error && (
              <div id={`${name}-error`} className="field-error" role="alert">
                {error}
              </div>
            )}
            {!error && verdict && (
              <div id={`${name}-verdict`} className="field-warning small">
                <code>{verdict.code}</code> {verdict.message}
              </div>
            )}
          </li>
        );
      })}
      <li>
        <button type="button" onClick={() => onChange([...paths, ''], [])}>
          Add {noun.toLowerCase()}
        </button>{' '}
        <BrowseButton
          purpose={field === 'params.datasets' ? 'raster' : 'vector'}
          multiple
          current={paths.findLast((p) => p.trim() !== '')}
          // The chosen files go after the paths already typed; empty rows give way to them.
          onPick={(picked) => onChange([...paths.filter((p) => p.trim() !== ''), ...picked], [field])}
        />{' '}
        <span className="muted small">or paste several paths, one per line</span>
      </li>
    </ol>
  );
}
