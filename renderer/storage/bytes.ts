/**
 * Byte sizes as people read them. Binary units (1 GiB = 1024³ bytes), labelled as such, because the
 * engine counts and warns in them (its default free-space floor is exactly 512 MiB): a decimal
 * "GB" here would disagree with the engine's own messages.
 */

/** The units a byte field can be typed in. */
export const BYTE_UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
export type ByteUnit = keyof typeof BYTE_UNITS;

const LADDER = [
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

/** The unit a byte count reads best in for an input: GiB when it is at least one GiB, else MiB. */
export function unitFor(bytes: number): ByteUnit {
  return bytes >= BYTE_UNITS.GiB ? 'GiB' : 'MiB';
}

/** `bytes` in `unit` as an input's text, up to three decimals ("1.5", "512"). */
export function bytesToInput(bytes: number, unit: ByteUnit): string {
  return String(Math.round((bytes / BYTE_UNITS[unit]) * 1000) / 1000);
}
