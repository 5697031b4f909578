/**
 * Which source layers become which MVT layers (params.layers / params.attributes, resolved against
 * what the sources hold).
 *
 * - No `layers`: every layer of every source, under its own name, with `attributes` (all when
 *   absent), over the job's zooms.
 * - `layers`: each choice names a source layer; it applies to every source that has a layer of
 *   that name. `as` renames it; layers of one name (from several sources, or renamed alike) are
 *   one MVT layer, their features merged in each tile (a tile never holds two layers of one name,
 *   which the MVT spec forbids).
 * - A layer's own zooms are clamped into the job's.
 */
import type { VectorPreseedParams } from '../../../shared/contract.js';
import type { SourceInfo, SourceLayerInfo } from './source-info.js';

export interface ChosenLayer {
  /** The layer's number in the job (what partition files and tile tasks know it by). */
  id: number;
  source: number;
  sourceLayer: string;
  /** The MVT layer's name. */
  name: string;
  /** Attributes to keep; null keeps all. */
  attributes: string[] | null;
  minZoom: number;
  maxZoom: number;
  /** The source layer's attributes with their OGR types, after selection. */
  fields: Record<string, string>;
}

export interface LayerProblem {
  field: string;
  message: string;
}

/** The layers chosen in each source (by source index); a missing source (unreadable) has none. */
export function chooseLayers(params: VectorPreseedParams, sources: readonly (SourceInfo | null)[]): { bySource: ChosenLayer[][]; problems: LayerProblem[] } {
  const bySource: ChosenLayer[][] = sources.map(() => []);
  const problems: LayerProblem[] = [];
  let id = 0;
  const clamp = (z: number) => Math.max(params.minZoom, Math.min(params.maxZoom, z));
  const select = (layer: SourceLayerInfo, wanted: string[] | undefined) => {
    if (wanted === undefined) return { attributes: null, fields: { ...layer.fields } };
    const fields: Record<string, string> = {};
    for (const a of wanted) if (layer.fields[a] !== undefined) fields[a] = layer.fields[a]!;
    return { attributes: [...wanted], fields };
  };

  sources.forEach((source, s) => {
    if (!source) return;
    if (!params.layers) {
      for (const layer of source.layers) {
        bySource[s]!.push({
          id: id++,
          source: s,
          sourceLayer: layer.name,
          name: layer.name,
          minZoom: params.minZoom,
          maxZoom: params.maxZoom,
          ...select(layer, params.attributes),
        });
      }
      return;
    }
    params.layers.forEach((choice) => {
      const layer = source.layers.find((l) => l.name === choice.name);
      if (!layer) return;
      bySource[s]!.push({
        id: id++,
        source: s,
        sourceLayer: layer.name,
        name: choice.as ?? layer.name,
        minZoom: clamp(choice.minZoom ?? params.minZoom),
        maxZoom: clamp(choice.maxZoom ?? params.maxZoom),
        ...select(layer, choice.attributes ?? params.attributes),
      });
    });
  });

  const readable = sources.filter((s): s is SourceInfo => s !== null);
  params.layers?.forEach((choice, i) => {
    const holders = readable.filter((s) => s.layers.some((l) => l.name === choice.name));
    if (readable.length > 0 && holders.length === 0) {
      const names = [...new Set(readable.flatMap((s) => s.layers.map((l) => l.name)))].join(', ');
      problems.push({ field: `params.layers.${i}.name`, message: `no source has a layer named "${choice.name}" (they have: ${names})` });
    }
    if (choice.minZoom !== undefined && choice.maxZoom !== undefined && choice.minZoom > choice.maxZoom) {
      problems.push({ field: `params.layers.${i}.minZoom`, message: `minZoom ${choice.minZoom} is greater than maxZoom ${choice.maxZoom}` });
    }
    if ((choice.minZoom ?? params.minZoom) > params.maxZoom || (choice.maxZoom ?? params.maxZoom) < params.minZoom) {
      problems.push({ field: `params.layers.${i}`, message: `its zooms lie outside the job's z${params.minZoom}–${params.maxZoom}` });
    }
    for (const a of choice.attributes ?? []) {
      if (holders.length > 0 && !holders.some((s) => s.layers.some((l) => l.name === choice.name && l.fields[a] !== undefined))) {
        problems.push({ field: `params.layers.${i}.attributes`, message: `layer "${choice.name}" has no attribute "${a}"` });
      }
    }
  });
  for (const a of params.attributes ?? []) {
    const anyHas = bySource.some((layers, s) => layers.some((l) => sources[s]!.layers.find((x) => x.name === l.sourceLayer)?.fields[a] !== undefined));
    if (readable.length > 0 && !anyHas) problems.push({ field: 'params.attributes', message: `no chosen layer has an attribute "${a}"` });
  }
  // A source without any chosen layer is worth its own line only when some chosen layer exists
  // elsewhere: when none does, the line per unknown layer name above already says all of it.
  const someChosenExists = params.layers === undefined || params.layers.some((c) => readable.some((s) => s.layers.some((l) => l.name === c.name)));
  sources.forEach((source, s) => {
    if (source && bySource[s]!.length === 0 && someChosenExists) {
      problems.push({
        field: `params.sources.${s}`,
        message: `${source.path} has none of the chosen layers (it has: ${source.layers.map((l) => l.name).join(', ')})`,
      });
    }
  });
  return { bySource, problems };
}
