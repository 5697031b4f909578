/**
 * The map screen's cache picker: the caches of caches.list (every cache jobs made or checked, and
 * those added by hand) in one list, raster and vector apart, so a cache is opened without typing
 * or remembering its path. The path field beside it stays for any other cache.
 */
import { useQuery } from '@tanstack/react-query';
import { cachesKey, countText, isVector, zoomText } from '../caches/cache-format.js';
import '../caches/cache-picker.css';

export interface CachePickerProps {
  /** The path open on the map: selected when it is listed. */
  value: string;
  onPick(path: string): void;
}

export function CachePicker({ value, onPick }: CachePickerProps) {
  const caches = useQuery({ queryKey: cachesKey, queryFn: () => window.tessera.caches.list({}) });
  const readable = (caches.data ?? []).filter((c) => c.kind !== null);
  const groups = [
    { label: 'Raster', rows: readable.filter((c) => !isVector(c)) },
    { label: 'Vector', rows: readable.filter(isVector) },
  ].filter((g) => g.rows.length > 0);
  const listed = readable.some((c) => c.path === value);
  const hint = caches.isPending
    ? 'Reading the caches…'
    : caches.error
      ? 'The caches could not be read'
      : readable.length === 0
        ? 'No caches yet'
        : 'Pick a cache…';
  return (
    <select
      className="cache-picker"
      aria-label="Caches"
      title={caches.error ? caches.error.message : 'The caches jobs made or checked, and those added on the Caches screen'}
      value={listed ? value : ''}
      disabled={readable.length === 0}
      onChange={(e) => e.currentTarget.value !== '' && onPick(e.currentTarget.value)}
    >
      <option value="">{hint}</option>
      {groups.map((g) => (
        <optgroup key={g.label} label={g.label}>
          {g.rows.map((c) => (
            <option key={c.path} value={c.path} title={c.path}>
              {c.name} · {zoomText(c)} · {countText(c.tileCount)} tiles
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
