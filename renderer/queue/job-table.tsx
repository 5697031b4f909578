/**
 * The shared parts of the queue's two tables: fixed column widths (a virtualised table must not
 * re-flow as different rows scroll in) and the header with its select-all box.
 */
import { useMemo } from 'react';
import type { JobSummary } from '../../shared/contract.js';
import type { RowVariant } from './job-row.js';

/**
 * Column widths in px; the name takes what is left. They add up to 600, so at 1024×700 (a panel
 * about 810 px wide) the name still gets some 210 px, and the actions column holds its widest
 * content (Resume and the compact cancel of an interrupted job) without clipping it.
 */
const COLUMNS: Record<RowVariant, (number | null)[]> = {
  active: [36, 52, null, 104, 168, 116, 124],
  history: [36, 52, null, 104, 168, 116, 124],
};

/** Columns of both tables (a full-width cell spans them). */
export const COLUMN_COUNT = COLUMNS.active.length;

/** The fixed widths of a table's columns: rows of any content line up without a re-flow. */
export function ColumnWidths({ variant }: { variant: RowVariant }) {
  return (
    <colgroup>
      {COLUMNS[variant].map((width, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of columns, the position is the identity
        <col key={i} style={width === null ? undefined : { width }} />
      ))}
    </colgroup>
  );
}

interface HeadProps {
  variant: RowVariant;
  rows: readonly JobSummary[];
  selected: ReadonlySet<number>;
  onSelect(ids: number[], on: boolean): void;
  label: string;
}

/** The contract takes at most this many ids per bulk call. */
export const MAX_BULK_IDS = 10_000;

/** The header row, with a box that selects every loaded row of the table (up to the contract's bulk limit). */
export function TableHead({ variant, rows, selected, onSelect, label }: HeadProps) {
  // Not per scroll frame: the history re-renders as it scrolls, and may hold 100,000 rows.
  const { ids, all, some } = useMemo(() => {
    const ids = rows.slice(0, MAX_BULK_IDS).map((r) => r.id);
    const all = ids.length > 0 && ids.every((id) => selected.has(id));
    return { ids, all, some: !all && ids.some((id) => selected.has(id)) };
  }, [rows, selected]);
  return (
    <thead>
      <tr>
        <th className="check">
          <input
            type="checkbox"
            aria-label={`Select all ${label}${rows.length > MAX_BULK_IDS ? ` (first ${MAX_BULK_IDS.toLocaleString('en')})` : ''}`}
            checked={all}
            ref={(box) => {
              if (box) box.indeterminate = some;
            }}
            disabled={ids.length === 0}
            onChange={(e) => onSelect(ids, e.currentTarget.checked)}
          />
        </th>
        <th className="num">#</th>
        <th>Job</th>
        <th>State</th>
        <th>Progress</th>
        {variant === 'active' ? <th className="num">Rate · ETA</th> : <th>Created</th>}
        <th>
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
