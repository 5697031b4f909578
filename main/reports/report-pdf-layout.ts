/**
 * The PDF report's page: A4 with its margins, colours and fonts, and the text primitives every
 * part of the report is set with (report-pdf.ts lays out the sections, report-pdf-table.ts the
 * tables, report-pdf-overview.ts the summary and extent map). Text goes through pdfText and is
 * placed line by line, so pdfkit never breaks or cuts a word itself.
 */
import type PDFDocument from 'pdfkit';
import { pdfText as printableText, reportFonts, wrapText } from './report-pdf-text.js';

export type Doc = InstanceType<typeof PDFDocument>;

export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = { top: 48, bottom: 54, left: 48, right: 48 };
export const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
export const COLOUR = {
  fg: '#1d2329',
  muted: '#6b7580',
  line: '#d9dde1',
  rowLine: '#eceff2',
  soft: '#f5f7f9',
  zebra: '#fafbfc',
  bad: '#b3261e',
  warn: '#a86b00',
  extent: '#c2410c',
};
export const FONT = { regular: 'DejaVuSans', bold: 'DejaVuSans-Bold', oblique: 'DejaVuSans-Oblique' };

export interface TextStyle {
  font: string;
  size: number;
  colour: string;
  align?: 'left' | 'right' | 'center';
}

/**
 * `text` set in lines of at most `width` from (x, y), broken at word boundaries (wrapText), each
 * line placed by hand so that pdfkit never breaks a word itself; returns the y below the last line.
 */
export function block(doc: Doc, text: string, x: number, y: number, width: number, style: TextStyle): number {
  doc.font(style.font).fontSize(style.size).fillColor(style.colour);
  const lineHeight = doc.currentLineHeight(true);
  const lines = wrapText(pdfText(text), width, (s) => doc.widthOfString(s));
  lines.forEach((line, i) => {
    oneLine(doc, line, x, y + i * lineHeight, width, style.align);
  });
  doc.x = MARGIN.left;
  doc.y = y + lines.length * lineHeight;
  return doc.y;
}

/**
 * One line of text at (x, y), aligned within `width` by its measured width. pdfkit is given no
 * width, so it cannot wrap the line itself (with one it cuts a word wider than the width between
 * characters even when told not to break lines).
 */
export function oneLine(doc: Doc, text: string, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'left', characterSpacing = 0): void {
  const room = width - doc.widthOfString(text, { characterSpacing });
  const dx = align === 'right' ? room : align === 'center' ? room / 2 : 0;
  doc.text(text, x + Math.max(0, dx), y, { lineBreak: false, characterSpacing });
}

/** The height `block` would take. */
export function blockHeight(doc: Doc, text: string, width: number, style: Pick<TextStyle, 'font' | 'size'>): number {
  doc.font(style.font).fontSize(style.size);
  return wrapText(pdfText(text), width, (s) => doc.widthOfString(s)).length * doc.currentLineHeight(true);
}

/** A section heading with a rule, on a new page when there is no room for it and a few rows. */
export function section(doc: Doc, title: string, aside?: string): void {
  if (doc.y + 70 > bottom(doc)) doc.addPage();
  doc.y += 10;
  heading(doc, title, MARGIN.left, doc.y, CONTENT_WIDTH, aside);
  doc.outline.addItem(title);
}

export function heading(doc: Doc, title: string, x: number, y: number, width: number, aside?: string): void {
  doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.fg).text(title, x, y, { lineBreak: false });
  let below = y + doc.currentLineHeight(true);
  if (aside !== undefined) {
    const asideX = x + doc.widthOfString(title) + 10;
    below = Math.max(below, block(doc, aside, asideX, y + 1.5, x + width - asideX, { font: FONT.regular, size: 8.5, colour: COLOUR.muted }));
  }
  const ruleY = below + 2;
  rule(doc, x, ruleY, width, 0.6, COLOUR.line);
  doc.x = MARGIN.left;
  doc.y = ruleY + 6;
}

/** A horizontal rule at `y`, `width` long from `x`. */
export function rule(doc: Doc, x: number, y: number, width: number, lineWidth: number, colour: string): void {
  doc
    .moveTo(x, y)
    .lineTo(x + width, y)
    .lineWidth(lineWidth)
    .strokeColor(colour)
    .stroke();
}

export function note(doc: Doc, text: string, italic = false): void {
  const style = { font: italic ? FONT.oblique : FONT.regular, size: 8, colour: COLOUR.muted };
  if (doc.y + 2 + blockHeight(doc, text, CONTENT_WIDTH, style) > bottom(doc)) doc.addPage();
  block(doc, text, MARGIN.left, doc.y + 2, CONTENT_WIDTH, style);
  doc.y += 4;
}

/** "Tessera job 12 – name" and "Page 2 of 5" at the foot of every page. */
export function footers(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text placed in the bottom margin makes pdfkit start a new page (foliojs/pdfkit#1240);
    // lifting the margin while the footer is written keeps it on this page.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = A4.height - 34;
    doc
      .moveTo(MARGIN.left, y - 6)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y - 6)
      .lineWidth(0.5)
      .strokeColor(COLOUR.line)
      .stroke();
    doc.font(FONT.regular).fontSize(7.5).fillColor(COLOUR.muted);
    const lines = wrapText(pdfText(title), CONTENT_WIDTH - 100, (s) => doc.widthOfString(s));
    oneLine(doc, lines.length > 1 ? `${lines[0]} …` : (lines[0] ?? ''), MARGIN.left, y, CONTENT_WIDTH - 90);
    oneLine(doc, `Page ${i - range.start + 1} of ${range.count}`, MARGIN.left + CONTENT_WIDTH - 90, y, 90, 'right');
    doc.page.margins.bottom = margin;
  }
}

export function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** `text` as the PDF's font can show it (report-pdf-text.ts): every table cell and line goes through it. */
export function pdfText(text: string): string {
  return printableText(text, reportFonts().covers);
}
