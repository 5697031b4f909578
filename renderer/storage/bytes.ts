/**
 * Byte sizes as people read and type them. Binary units (1 GiB = 1024³ bytes), labelled as such,
 * because the engine counts and warns in them; the formatter is shared/format.ts, shared with the
 * job reports so that a report and the console print the same size the same way.
 */

/** The units a byte field can be typed in. */
export const BYTE_UNITS = { MiB: 1024 ** 2, GiB: 1024 ** 3 } as const;
export type ByteUnit = keyof typeof BYTE_UNITS;

/** "1.5 GiB", "512 MiB", "740 B": the one formatter every process shares (the reports print the same). */
export { formatBytes } from '../../shared/format.js';

/** The unit a byte count reads best in for an input: GiB when it is at least one GiB, else MiB. */
export function unitFor(bytes: number): ByteUnit {
  return bytes >= BYTE_UNITS.GiB ? 'GiB' : 'MiB';
}

/** `bytes` in `unit` as an input's text, up to three decimals ("1.5", "512"). */
export function bytesToInput(bytes: number, unit: ByteUnit): string {
  return String(Math.round((bytes / BYTE_UNITS[unit]) * 1000) / 1000);
}

const PAIR_UNITS = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
] as const;

/**
 * "12.3 of 40.0 MiB": a part and its whole in the whole's unit, one decimal each, so the two
 * numbers can be compared at a glance while bytes arrive ("0.5 of 40.0 MiB", never "512 KiB of 40 MiB").
 */
export function formatBytesOf(part: number, whole: number): string {
  for (const [unit, size] of PAIR_UNITS) {
    if (whole >= size) return `${(part / size).toFixed(1)} of ${(whole / size).toFixed(1)} ${unit}`;
  }
  return `${part} of ${whole} B`;
}

/**
 * A byte field's text moved to another unit, so the size stays what it was ("500" GiB is "512000"
 * MiB): a unit switch never silently changes the amount. Text that is not a number stays as typed.
 * `exactBytes`, when known, is the size the (possibly rounded) text stands for, converted instead.
 */
export function convertInput(text: string, from: ByteUnit, to: ByteUnit, exactBytes?: number): string {
  if (from === to || text.trim() === '' || !Number.isFinite(Number(text))) return text;
  return bytesToInput(exactBytes ?? Number(text) * BYTE_UNITS[from], to);
}
