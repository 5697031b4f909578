/**
 * A file path that wraps only at its separators: "/srv/tiles/" then "alps-2024.mbtiles" on the
 * next line, never "alps-20" / "24.mbtiles". Chromium finds no break opportunity in a path, so a
 * narrow cell with `overflow-wrap: anywhere` cut it mid-word; here each separator is followed by
 * a <wbr>, and the `path-text` class keeps the browser from breaking anywhere else unless a single
 * folder or file name is wider than the whole cell. The full path is the title too.
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
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </span>
  );
}
