/**
 * A file path that wraps only at its separators: "/srv/tiles/" then "alps-2024.mbtiles" on the
 * next line, never "alps-20" / "24.mbtiles". Chromium finds no break opportunity in a path, so a
 * narrow cell with `overflow-wrap: anywhere` cut it mid-word; here each part (a folder with its
 * separator, the file name) is an inline block, which moves to the next line whole (not split at
 * a hyphen in "countries-z4.mbtiles") and breaks inside only when it is wider than the whole cell,
 * with a <wbr> after each separator. The full path is the title too.
 */
import { Fragment } from 'react';

/** The path cut after each separator, each part keeping its separator. */
export function pathParts(path: string): string[] {
  return path.match(/[^/\\]*[/\\]+|[^/\\]+$/g) ?? [path];
}

export function PathText({ path, className = '' }: { path: string; className?: string }) {
  const parts = pathParts(path);
  return (
    <span className={`path-text ${className}`.trim()} title={path}>
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one path never move
        <Fragment key={i}>
          <span className="path-part">{part}</span>
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </span>
  );
}
