/**
 * Text for the PDF report: the Unicode font it embeds, what that font can show, and lines broken
 * at word boundaries. Pure except `reportFonts`, which reads the font files once.
 *
 * The font is DejaVu Sans from the npm package dejavu-fonts-ttf, shipped with the app and found
 * through module resolution (never a system path, so every machine prints the same). It covers
 * Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic and many symbols ("→", "≤", "°"),
 * but no CJK ideographs, kana or hangul and no emoji: those are printed as their code points
 * ("[U+6771 U+4EAC]" for 東京), which the report says once; the HTML report shows them as they are.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface ReportFonts {
  regular: Buffer;
  bold: Buffer;
  oblique: Buffer;
  /** True when every one of the three fonts has a glyph for the code point. */
  covers(codePoint: number): boolean;
}

let loaded: ReportFonts | undefined;

/** DejaVu Sans (regular, bold, oblique) from the dejavu-fonts-ttf package, read once. */
export function reportFonts(): ReportFonts {
  if (loaded) return loaded;
  const file = (name: string) => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`));
  const regular = file('DejaVuSans');
  const bold = file('DejaVuSans-Bold');
  const oblique = file('DejaVuSans-Oblique');
  const sets = [regular, bold, oblique].map(codePointsOf);
  loaded = { regular, bold, oblique, covers: (cp) => sets.every((s) => s.has(cp)) };
  return loaded;
}

/**
 * The code points a TrueType font maps to a glyph, from its cmap: the Windows full-Unicode
 * subtable (format 12) when it has one, else the BMP one (format 4).
 */
export function codePointsOf(font: Buffer): Set<number> {
  const tables = font.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) {
    const record = 12 + i * 16;
    if (font.toString('latin1', record, record + 4) === 'cmap') cmap = font.readUInt32BE(record + 8);
  }
  if (cmap < 0) throw new Error('the font has no cmap table');
  const subtables = new Map<string, number>();
  for (let i = 0; i < font.readUInt16BE(cmap + 2); i++) {
    const record = cmap + 4 + i * 8;
    subtables.set(`${font.readUInt16BE(record)}/${font.readUInt16BE(record + 2)}`, cmap + font.readUInt32BE(record + 4));
  }
  const out = new Set<number>();
  const full = subtables.get('3/10') ?? subtables.get('0/4');
  if (full !== undefined && font.readUInt16BE(full) === 12) {
    const groups = font.readUInt32BE(full + 12);
    for (let g = 0; g < groups; g++) {
      const at = full + 16 + g * 12;
      const [start, end, glyph] = [font.readUInt32BE(at), font.readUInt32BE(at + 4), font.readUInt32BE(at + 8)];
      for (let c = start; c <= end; c++) if (glyph + (c - start) !== 0) out.add(c);
    }
    return out;
  }
  const bmp = subtables.get('3/1') ?? subtables.get('0/3');
  if (bmp === undefined || font.readUInt16BE(bmp) !== 4) throw new Error('the font has no Unicode cmap subtable');
  const segments = font.readUInt16BE(bmp + 6) / 2;
  const ends = bmp + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const start = font.readUInt16BE(starts + s * 2);
    const end = font.readUInt16BE(ends + s * 2);
    const delta = font.readInt16BE(deltas + s * 2);
    const rangeOffset = font.readUInt16BE(rangeOffsets + s * 2);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
      else {
        const raw = font.readUInt16BE(rangeOffsets + s * 2 + rangeOffset + (c - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) out.add(c);
    }
  }
  return out;
}

/**
 * Text the font can show: tabs and line breaks become spaces, control and invisible format
 * characters go, a letter the font lacks loses its accent when the bare letter is there, and any
 * other character it lacks is printed as its code point, runs of them together: "[U+6771 U+4EAC]"
 * (joined by a no-break space).
 */
export function pdfText(text: string, covers: (codePoint: number) => boolean): string {
  let out = '';
  let missing: string[] = [];
  for (const ch of text.normalize('NFC')) {
    const shown = printable(ch, covers);
    if (shown === null) {
      missing.push(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
      continue;
    }
    if (missing.length > 0) out += `[${missing.join(NBSP)}]`;
    missing = [];
    out += shown;
  }
  return missing.length > 0 ? `${out}[${missing.join(NBSP)}]` : out;
}

/** Between the code points of one run, so that a line never breaks inside "[U+6771 U+4EAC]". */
const NBSP = '\u00a0';

/** Whether `pdfText` prints any character of `text` as its code point. */
export function hasUnprintable(text: string, covers: (codePoint: number) => boolean): boolean {
  for (const ch of text.normalize('NFC')) if (printable(ch, covers) === null) return true;
  return false;
}

/** How one character is shown: itself, a space, nothing, its bare letter; null when it cannot be. */
function printable(ch: string, covers: (codePoint: number) => boolean): string | null {
  if (ch === '\t' || ch === '\n' || ch === '\r') return ' ';
  if (/[\p{Cc}\p{Cf}]/u.test(ch)) return '';
  if (covers(ch.codePointAt(0)!)) return ch;
  const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
  return base !== '' && [...base].every((c) => covers(c.codePointAt(0)!)) ? base : null;
}

/** Where a word longer than a line may break: after a path's or a name's separators. */
const SEPARATOR_BREAK = /(?<=[/\\_\-,;:=&?])/;

/**
 * `text` in lines no wider than `width`, broken at spaces. A word is never broken while it fits
 * on a line of its own ("SP27GTIF.tif" stays whole); one longer than a line breaks after a "/",
 * "\", "_", "-" or other separator, and only a piece without any is cut between characters.
 */
export function wrapText(text: string, width: number, measure: (s: string) => number): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (measure(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    if (measure(word) <= width) {
      line = word;
      continue;
    }
    const pieces = breakWord(word, width, measure);
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1]!;
  }
  lines.push(line);
  return lines;
}

function breakWord(word: string, width: number, measure: (s: string) => number): string[] {
  const out: string[] = [];
  let line = '';
  for (const part of word.split(SEPARATOR_BREAK)) {
    if (measure(line + part) <= width) {
      line += part;
      continue;
    }
    if (line !== '') out.push(line);
    line = '';
    if (measure(part) <= width) {
      line = part;
      continue;
    }
    for (const ch of part) {
      if (line !== '' && measure(line + ch) > width) {
        out.push(line);
        line = '';
      }
      line += ch;
    }
  }
  out.push(line);
  return out;
}

/** The width of the widest piece of `text` that `wrapText` keeps whole when it must (a word, or a path's segment). */
export function unbreakableWidth(text: string, measure: (s: string) => number): number {
  let widest = 0;
  for (const word of text.split(' ')) for (const part of word.split(SEPARATOR_BREAK)) if (part !== '') widest = Math.max(widest, measure(part));
  return widest;
}

/**
 * Column widths that add up to `total`, as a table lays itself out: each column at least its
 * minimum (its longest word) and no wider than its natural width (its longest cell on one line)
 * while others still need room; the room left goes to the columns that want more, by share, and
 * what is still left by share to all. When the minimums alone do not fit, each is scaled down alike
 * (and the widest words are cut).
 */
export function fitColumns(shares: readonly number[], minimums: readonly number[], naturals: readonly number[], total: number): number[] {
  const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
  const min = (i: number) => minimums[i] ?? 0;
  const natural = (i: number) => Math.max(naturals[i] ?? 0, min(i));
  const widths = shares.map((share, i) => Math.max(min(i), Math.min(natural(i), share * total)));
  const excess = sum(widths) - total;
  if (excess > 1e-9) {
    const slack = widths.map((w, i) => w - min(i));
    const room = sum(slack);
    if (room >= excess) return widths.map((w, i) => w - (excess * slack[i]!) / room);
    return minimums.map((m) => (m * total) / sum(minimums));
  }
  for (let round = 0; round < shares.length; round++) {
    const left = total - sum(widths);
    const hungry = widths.flatMap((w, i) => (w < natural(i) - 1e-9 ? [i] : []));
    if (left <= 1e-9 || hungry.length === 0) break;
    const weight = sum(hungry.map((i) => shares[i]!));
    for (const i of hungry) widths[i] = Math.min(natural(i), widths[i]! + (left * shares[i]!) / weight);
  }
  const left = total - sum(widths);
  return left > 1e-9 ? widths.map((w, i) => w + (left * shares[i]!) / sum(shares)) : widths;
}
