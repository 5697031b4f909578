/**
 * The shared parts of the queue's two tables: fixed column widths (a virtualised table must not
 * re-flow as different rows scroll in) and the header with its select-all box.
 */
import { useMemo } from 'react';
import type { JobSummary } from '../../shared/contract.js';
import type { RowVariant } from './job-row.js';

/**
 * The columns, named for queue.css, which holds their widths: 600 px together on a wide panel,
 * less on a narrow one (at 1024×700 with the rail open), where the number and progress columns give
 * way so the job's name keeps about 250 px. The name takes what is left.
 */
const COLUMNS: Record<RowVariant, string[]> = {
  active: ['check', 'id', 'name', 'state', 'progress', 'when', 'actions'],
  history: ['check', 'id', 'name', 'state', 'progress', 'when', 'actions'],
};

/** Columns of both tables (a full-width cell spans them). */
export const COLUMN_COUNT = COLUMNS.active.length;

/** The fixed widths of a table's columns: rows of any content line up without a re-flow. */
export function ColumnWidths({ variant }: { variant: RowVariant }) {
  return (
    <colgroup>
      {COLUMNS[variant].map((name) => (
        <col key={name} className={`col-${name}`} />
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
