/**
 * The PDF report's overview: the job's summary beside its extent, a thumbnail map drawn as vector
 * paths from the same projected outline as the HTML report's (report-parts.ts), with the items'
 * footprints numbered on it and listed under it.
 */
import { MAX_FOOTPRINTS } from './report-map.js';
import { type ReportModel, type Thumbnail, formatBounds, thumbnail } from './report-parts.js';
import { COLOUR, CONTENT_WIDTH, type Doc, FONT, MARGIN, block, heading, oneLine } from './report-pdf-layout.js';

const MAP = { width: 224, height: 165 };
const FOOTPRINT = '#1f5f99';
/** Footprints numbered on the map and listed under it; beyond this many they are only drawn. */
const FOOTPRINTS_LISTED = 12;

/** Summary on the left, the extent thumbnail on the right. */
export function overview(doc: Doc, m: ReportModel): void {
  const top = doc.y;
  const left = MARGIN.left;
  const mapX = MARGIN.left + CONTENT_WIDTH - MAP.width;
  const leftWidth = mapX - left - 24;

  heading(doc, 'Summary', left, top, leftWidth);
  let y = doc.y;
  for (const [label, value] of m.summary) {
    block(doc, label, left, y, 70, { font: FONT.regular, size: 8, colour: COLOUR.muted });
    const bottomOfValue = block(doc, value, left + 74, y, leftWidth - 74, { font: FONT.regular, size: 8.5, colour: COLOUR.fg });
    y = Math.max(bottomOfValue, y + 11) + 2.5;
  }
  const leftBottom = y;

  heading(doc, 'Extent', mapX, top, MAP.width);
  const mapY = doc.y;
  const caption = { font: FONT.regular, size: 7, colour: COLOUR.muted };
  const { bounds, note: why, footprints } = m.extent;
  if (bounds === null) {
    doc.rect(mapX, mapY, MAP.width, MAP.height).fill(COLOUR.soft);
    doc.rect(mapX, mapY, MAP.width, MAP.height).dash(3, { space: 3 }).lineWidth(0.75).strokeColor(COLOUR.line).stroke().undash();
    doc.font(FONT.bold).fontSize(10).fillColor(COLOUR.muted);
    oneLine(doc, 'Extent unknown', mapX, mapY + MAP.height / 2 - 6, MAP.width, 'center');
    block(doc, `${why}.`, mapX, mapY + MAP.height + 5, MAP.width, caption);
  } else {
    const t = thumbnail(bounds, MAP.width, MAP.height, { footprints });
    drawThumbnail(doc, t, mapX, mapY);
    let cy = block(doc, formatBounds(bounds), mapX, mapY + MAP.height + 5, MAP.width, caption);
    cy = block(doc, `${why}. Land: Natural Earth.`, mapX, cy, MAP.width, caption);
    if (footprints.length > 0) {
      const drawn = footprints.length > MAX_FOOTPRINTS ? ` (the first ${MAX_FOOTPRINTS} drawn)` : '';
      const listed = t.footprints.length <= FOOTPRINTS_LISTED;
      doc
        .save()
        .rect(mapX, cy + 2.5, 12, 6)
        .dash(2, { space: 1.5 })
        .lineWidth(0.8)
        .fillOpacity(0.08)
        .fillAndStroke(FOOTPRINT, FOOTPRINT)
        .undash()
        .restore();
      const legend = footprints.length === 1 ? 'The footprint of its item' : `Footprints of its ${footprints.length.toLocaleString('en-US')} items${drawn}`;
      cy = block(doc, `${legend}${listed ? ':' : '.'}`, mapX + 16, cy + 1, MAP.width - 16, caption);
      if (listed) for (const f of t.footprints) cy = block(doc, `${f.n}  ${f.label}`, mapX + 16, cy, MAP.width - 16, caption);
    }
  }
  doc.x = MARGIN.left;
  doc.y = Math.max(leftBottom, doc.y) + 6;
}

/** The thumbnail as vector paths: sea, land (even-odd), graticule, footprints, labels, the extent on top. */
function drawThumbnail(doc: Doc, t: Thumbnail, x: number, y: number): void {
  doc.save();
  doc.rect(x, y, t.width, t.height).clip();
  doc.rect(x, y, t.width, t.height).fill('#dbe7f1');
  for (const ring of t.land) {
    doc.moveTo(x + ring[0]!, y + ring[1]!);
    for (let i = 2; i < ring.length; i += 2) doc.lineTo(x + ring[i]!, y + ring[i + 1]!);
    doc.closePath();
  }
  if (t.land.length > 0) doc.lineWidth(0.4).lineJoin('round').fillAndStroke('#f5f2ea', '#98a2ab', 'even-odd');
  doc.save();
  doc.lineWidth(0.4).dash(1.5, { space: 1.5 }).strokeColor('#7f93a6').strokeOpacity(0.5);
  for (const g of t.meridians) doc.moveTo(x + g.x, y).lineTo(x + g.x, y + t.height);
  for (const g of t.parallels) doc.moveTo(x, y + g.y).lineTo(x + t.width, y + g.y);
  if (t.meridians.length + t.parallels.length > 0) doc.stroke();
  doc.restore();
  for (const f of t.footprints) {
    doc.save();
    if (f.dot) doc.circle(x + f.dot.x, y + f.dot.y, 2.2).fill(FOOTPRINT);
    else
      doc
        .rect(x + f.x, y + f.y, f.width, f.height)
        .dash(2.5, { space: 1.5 })
        .lineWidth(0.8)
        .fillOpacity(0.08)
        .fillAndStroke(FOOTPRINT, FOOTPRINT);
    doc.restore();
  }
  const r = t.extent;
  doc.save();
  doc
    .rect(x + r.x, y + r.y, r.width, r.height)
    .fillOpacity(0.18)
    .fill(COLOUR.extent);
  doc.restore();
  doc
    .rect(x + r.x, y + r.y, r.width, r.height)
    .lineWidth(1.2)
    .stroke(COLOUR.extent);
  if (t.marker)
    doc
      .circle(x + t.marker.x, y + t.marker.y, t.marker.r)
      .lineWidth(1.2)
      .stroke(COLOUR.extent);
  if (t.footprints.length <= FOOTPRINTS_LISTED) {
    doc.font(FONT.bold).fontSize(6).fillColor(FOOTPRINT);
    // Inside a rectangle's corner; beside a dot.
    for (const f of t.footprints)
      doc.text(String(f.n), f.dot ? x + f.dot.x + 3 : x + f.x + 1.5, f.dot ? y + f.dot.y - 3.5 : y + f.y + 1.5, { lineBreak: false });
  }
  doc.font(FONT.regular).fontSize(5.5);
  const label = (text: string, lx: number, ly: number) => {
    const w = doc.widthOfString(text);
    doc
      .save()
      .rect(lx - 1, ly - 1, w + 2, 7.5)
      .fillOpacity(0.7)
      .fill('#ffffff')
      .restore();
    doc.fillColor('#4d5b69').text(text, lx, ly, { lineBreak: false });
  };
  for (const g of t.meridians) label(g.label, x + g.x + 2, y + t.height - 9);
  for (const g of t.parallels) label(g.label, x + 3, y + g.y - 8);
  doc.restore();
  doc.rect(x, y, t.width, t.height).lineWidth(0.5).stroke('#c7ced5');
}
