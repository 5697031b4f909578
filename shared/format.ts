/**
 * Byte sizes as people read them, for every process: the console, the reports and the CLI.
 * Binary units (1 GiB = 1024³ bytes), labelled as such, because the engine counts and warns in
 * them (its default free-space floor is exactly 512 MiB): a decimal "GB" would disagree with the
 * engine's own messages.
 */

const LADDER = [
  ['PiB', 1024 ** 5],
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
] as const;

/** "1.5 GiB", "512 MiB", "740 B": one decimal at most, none when it is .0. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of LADDER) {
    if (Math.abs(bytes) >= size) return `${trim(bytes / size)} ${unit}`;
  }
  return `${bytes} B`;
}

function trim(n: number): string {
  const fixed = n.toFixed(1);
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}
