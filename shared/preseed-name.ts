/**
 * The name a preseed job gets when nobody names it ("preseed raster bluemarble.tif → bm.mbtiles"):
 * one rule for the engine (the kinds' describe) and the console, which must tell such a made-up
 * name from a typed one ("Run again with these settings…" drops a made-up name, so the new job is
 * named after its own params, and keeps a typed one). Pure: no node:path in the renderer.
 */

/** A path's last part, trailing slashes ignored (`/out/t/` → `t`), as node's posix basename. */
function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? path.slice(0, 1) : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The job's name in lists: its one input's base name, or how many there are, then the output's. */
export function describePreseed(kind: string, inputs: readonly string[], plural: string, output: string): string {
  return `preseed ${kind} ${inputs.length === 1 ? baseName(inputs[0]!) : `${inputs.length} ${plural}`} → ${baseName(output)}`;
}

/** The name the engine gives a raster preseed of `params` when none is typed. */
export function rasterPreseedName(params: { datasets: readonly string[]; output: string }): string {
  return describePreseed('raster', params.datasets, 'datasets', params.output);
}

/** The name the engine gives a vector preseed of `params` when none is typed. */
export function vectorPreseedName(params: { sources: readonly string[]; output: string }): string {
  return describePreseed('vector', params.sources, 'sources', params.output);
}
