/**
 * A coordinate reference system picker: search as you type (by EPSG code or name words) over the
 * proj database the engine's GDAL uses (crs.search), so whatever is picked is a CRS GDAL knows.
 *
 * A combobox in the WAI-ARIA pattern: the list follows the text, ↓/↑ move through the matches,
 * Enter picks, Escape closes the list. Requests wait for a pause in typing, and an answer to text
 * that has since changed is never shown: each answer is cached under the text it answers.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { CrsMatch } from '../../shared/contract.js';
import { queryKey } from '../data/query-keys.js';
import { useDebounced } from '../queue/use-debounced.js';
import './crs-picker.css';

/** Matches shown at most: enough to scroll a little, few enough to read. */
const LIMIT = 12;
/** The pause in typing after which the engine is asked (ms). */
export const CRS_SEARCH_DEBOUNCE_MS = 200;

export interface CrsPickerProps {
  label: string;
  /** The CRS picked so far, or null. */
  value: CrsMatch | null;
  onPick: (crs: CrsMatch | null) => void;
  autoFocus?: boolean;
  /** A line under the input (what the CRS is for). */
  help?: string;
}

/** The CRS picker: a labelled search box with its list of matches, and the CRS picked below it. */
export function CrsPicker({ label, value, onPick, autoFocus = false, help }: CrsPickerProps) {
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const settled = useDebounced(text.trim(), CRS_SEARCH_DEBOUNCE_MS);
  const search = useQuery({
    queryKey: queryKey('crs.search', { query: settled, limit: LIMIT }),
    queryFn: () => window.tessera.crs.search({ query: settled, limit: LIMIT }),
    enabled: settled !== '',
    staleTime: Number.POSITIVE_INFINITY,
    // A search that fails (no proj database) fails the same way again: said at once, not after backoffs.
    retry: false,
    // The previous text's matches stay while the next ones load (no flicker), marked as such below.
    placeholderData: keepPreviousData,
  });
  // Only an answer to the text as it stands is offered (a late answer to older text is not).
  const current = settled === text.trim() && search.data !== undefined && !search.isPlaceholderData;
  const matches = current ? search.data! : [];
  const listOpen = open && text.trim() !== '';
  const optionId = (i: number) => `${id}-option-${i}`;

  const pick = (m: CrsMatch) => {
    onPick(m);
    setText('');
    setOpen(false);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (matches.length > 0) setActive((a) => (event.key === 'ArrowDown' ? (a + 1) % matches.length : (a - 1 + matches.length) % matches.length));
    } else if (event.key === 'Enter') {
      const m = matches[active];
      if (listOpen && m) {
        event.preventDefault();
        pick(m);
      }
    } else if (event.key === 'Escape' && listOpen) {
      event.preventDefault();
      setOpen(false);
    }
  };

  let status: string;
  if (text.trim() === '') status = '';
  else if (settled === text.trim() && search.isError) status = `The search failed: ${search.error.message}`;
  else if (!current) status = 'Searching…';
  else if (matches.length === 0) status = `No coordinate system matches “${text.trim()}”`;
  else status = `${matches.length}${matches.length === LIMIT ? '+' : ''} match${matches.length === 1 ? '' : 'es'}; ↓ ↑ to choose, Enter to pick`;

  return (
    <div className="crs-picker">
      <label htmlFor={`${id}-input`}>{label}</label>
      <div className="crs-box">
        <input
          id={`${id}-input`}
          type="search"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: the picker opens on the operator's request ("Retry with CRS…"), to be typed in at once
          autoFocus={autoFocus}
          placeholder="EPSG code or name, e.g. 4326, 27700, WGS 84, Long Island"
          aria-expanded={listOpen}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={listOpen && matches[active] ? optionId(active) : undefined}
          aria-describedby={`${id}-status`}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setActive(0);
            setOpen(true);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
          onFocus={() => setOpen(true)}
        />
        <div id={`${id}-list`} role="listbox" aria-label={`${label}: matches`} className="crs-list" hidden={!listOpen || matches.length === 0}>
          {matches.map((m, i) => (
            <div
              key={m.code}
              id={optionId(i)}
              role="option"
              // Focus stays in the input (aria-activedescendant points here); a click still picks.
              tabIndex={-1}
              aria-selected={i === active}
              data-code={m.code}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(m);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className="crs-code">{m.code}</span> <span className="crs-name">{m.name}</span>
              <span className="crs-meta muted small">
                {m.kind}
                {m.area && ` · ${m.area}`}
              </span>
            </div>
          ))}
        </div>
      </div>
      <p id={`${id}-status`} className="muted small crs-status" aria-live="polite">
        {status}
      </p>
      {help && <p className="muted small">{help}</p>}
      <p className="crs-picked" data-testid="crs-picked">
        {value ? (
          <>
            Picked: <strong>{value.code}</strong> {value.name}
            {value.area && <span className="muted"> ({value.area})</span>}{' '}
            <button type="button" className="link" onClick={() => onPick(null)}>
              Clear
            </button>
          </>
        ) : (
          <span className="muted">No CRS picked yet.</span>
        )}
      </p>
    </div>
  );
}
