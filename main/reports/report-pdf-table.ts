/**
 * The PDF report's tables: columns sized to their content, rows wrapped at word boundaries, the
 * header row repeated on every page a table runs onto.
 */
import { fitColumns, unbreakableWidth, wrapText } from './report-pdf-text.js';
import { COLOUR, CONTENT_WIDTH, type Doc, FONT, MARGIN, bottom, oneLine, pdfText } from './report-pdf-layout.js';

/** Table text: DejaVu Sans is wider than Helvetica, so a size smaller keeps the columns the same. */
const TABLE_SIZE = 7.5;
/** The smallest a column header is set to stay on one line (its column is at least this wide). */
const HEADER_MIN_SIZE = 5.5;
const CELL_PAD = { x: 4, y: 3 };

export interface Column {
  header: string;
  /** Share of the table's width. */
  width: number;
  align?: 'left' | 'right';
  font?: string;
  colour?: (value: string) => string;
}

/**
 * A table that breaks across pages, repeating its header row on each. Columns take their share
 * of the width, widened to the longest word they hold (fitColumns), so words are not cut.
 */
export function table(doc: Doc, columns: Column[], rows: string[][]): void {
  const cells = rows.map((raw) => raw.map(pdfText));
  const pad = 2 * CELL_PAD.x + 0.5;
  const measured = columns.map((c, i) => {
    doc.font(FONT.bold).fontSize(HEADER_MIN_SIZE);
    const header = doc.widthOfString(c.header.toUpperCase(), { characterSpacing: 0.3 });
    doc.font(c.font ?? FONT.regular).fontSize(TABLE_SIZE);
    const measure = (s: string) => doc.widthOfString(s);
    let widest = header;
    let longest = header;
    for (const row of cells) {
      widest = Math.max(widest, unbreakableWidth(row[i] ?? '', measure));
      longest = Math.max(longest, measure(row[i] ?? ''));
    }
    return { minimum: Math.min(widest, CONTENT_WIDTH * 0.6) + pad, natural: longest + pad };
  });
  const widths = fitColumns(
    columns.map((c) => c.width),
    measured.map((m) => m.minimum),
    measured.map((m) => m.natural),
    CONTENT_WIDTH,
  );
  const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const headerHeight = 15;
  const drawHeader = () => {
    const y = doc.y;
    doc.rect(MARGIN.left, y, CONTENT_WIDTH, headerHeight).fill(COLOUR.soft);
    doc
      .moveTo(MARGIN.left, y + headerHeight)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y + headerHeight)
      .lineWidth(0.6)
      .strokeColor('#b9c0c7')
      .stroke();
    doc.font(FONT.bold).fillColor(COLOUR.muted);
    columns.forEach((c, i) => {
      const label = c.header.toUpperCase();
      const room = widths[i]! - 2 * CELL_PAD.x;
      // Headers stay on one line: a narrow column's header is set smaller rather than wrapped.
      doc.fontSize(6.5);
      const size = Math.max(HEADER_MIN_SIZE, Math.min(6.5, (6.5 * room) / doc.widthOfString(label, { characterSpacing: 0.3 })));
      doc.fontSize(size);
      oneLine(doc, label, xs[i]! + CELL_PAD.x, y + 4.5 + (6.5 - size) / 2, room, c.align, 0.3);
    });
    doc.y = y + headerHeight;
  };

  if (doc.y + headerHeight + 16 > bottom(doc)) doc.addPage();
  drawHeader();
  rows.forEach((raw, r) => {
    const row = cells[r]!;
    const lines = row.map((text, i) => {
      doc.font(columns[i]!.font ?? FONT.regular).fontSize(TABLE_SIZE);
      return wrapText(text, widths[i]! - 2 * CELL_PAD.x, (s) => doc.widthOfString(s));
    });
    doc.fontSize(TABLE_SIZE);
    const lineHeight = doc.currentLineHeight(true);
    const height = Math.max(...lines.map((l) => l.length)) * lineHeight + 2 * CELL_PAD.y;
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y;
    if (r % 2 === 1) doc.rect(MARGIN.left, y, CONTENT_WIDTH, height).fill(COLOUR.zebra);
    lines.forEach((cellLines, i) => {
      const c = columns[i]!;
      doc
        .font(c.font ?? FONT.regular)
        .fontSize(TABLE_SIZE)
        .fillColor(c.colour ? c.colour(raw[i] ?? '') : COLOUR.fg);
      cellLines.forEach((line, k) => {
        oneLine(doc, line, xs[i]! + CELL_PAD.x, y + CELL_PAD.y + k * lineHeight, widths[i]! - 2 * CELL_PAD.x, c.align);
      });
    });
    doc
      .moveTo(MARGIN.left, y + height)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y + height)
      .lineWidth(0.4)
      .strokeColor(COLOUR.rowLine)
      .stroke();
    doc.y = y + height;
  });
  doc.x = MARGIN.left;
  doc.y += 4;
}
