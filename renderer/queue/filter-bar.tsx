/**
 * The queue's filter bar: text (sent once typing pauses), kind, creation dates and states. Every
 * field ends up in `jobs.list`'s filter (see filters.ts); nothing is filtered in the console.
 */
import { JOB_KINDS, JOB_STATES, type JobKind, type JobState } from '../../shared/contract.js';
import { hasFilters } from './filters.js';
import { useQueueUi } from './queue-store.js';

/** The search box's id: the `/` shortcut focuses it. */
export const SEARCH_INPUT_ID = 'queue-search';

/** The filter fields, bound to the queue store; the screen turns them into `jobs.list` filters. */
export function FilterBar() {
  const filters = useQueueUi((s) => s.filters);
  const setFilters = useQueueUi((s) => s.setFilters);
  const clearFilters = useQueueUi((s) => s.clearFilters);

  const toggleState = (state: JobState) =>
    setFilters({ states: filters.states.includes(state) ? filters.states.filter((s) => s !== state) : [...filters.states, state] });
  const rangeBackwards = filters.createdFrom !== '' && filters.createdTo !== '' && filters.createdFrom > filters.createdTo;

  return (
    <search className="filter-bar" aria-label="Filter jobs">
      <div className="filter-row">
        <input
          id={SEARCH_INPUT_ID}
          type="search"
          className="search"
          placeholder="Search names, paths, errors…   /"
          aria-label="Search jobs"
          value={filters.text}
          maxLength={200}
          onChange={(e) => setFilters({ text: e.currentTarget.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
        />
        <label className="field">
          <span>Kind</span>
          <select
            aria-label="Kind"
            value={filters.kinds[0] ?? ''}
            onChange={(e) => setFilters({ kinds: e.currentTarget.value === '' ? [] : [e.currentTarget.value as JobKind] })}
          >
            <option value="">All kinds</option>
            {JOB_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <DateFilter
          label="Created from"
          words="Created from"
          value={filters.createdFrom}
          invalid={rangeBackwards}
          onValue={(createdFrom) => setFilters({ createdFrom })}
        />
        <DateFilter label="Created to" words="to" value={filters.createdTo} invalid={rangeBackwards} onValue={(createdTo) => setFilters({ createdTo })} />
        {hasFilters(filters) && (
          <button type="button" className="link" onClick={clearFilters}>
            Clear filters
          </button>
        )}
        {rangeBackwards && <span className="error small">“from” is after “to”</span>}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a row of toggle buttons (the ARIA toolbar-like group), not form fields for a <fieldset> */}
      <div className="filter-row states" role="group" aria-label="States">
        {JOB_STATES.map((state) => (
          <button key={state} type="button" className={`chip state-${state}`} aria-pressed={filters.states.includes(state)} onClick={() => toggleState(state)}>
            {state}
          </button>
        ))}
      </div>
    </search>
  );
}

/** A date of the filters, `words` beside it, `label` its name. */
function DateFilter({
  label,
  words,
  value,
  invalid,
  onValue,
}: {
  label: string;
  words: string;
  value: string;
  invalid: boolean;
  onValue: (date: string) => void;
}) {
  return (
    <label className="field">
      <span>{words}</span>
      <input type="date" aria-label={label} value={value} aria-invalid={invalid} onChange={(e) => onValue(e.currentTarget.value)} />
    </label>
  );
}
