/**
 * "Preseed…" from the catalogue: the preseed form's draft (renderer/preseed/preseed-draft.ts) gets
 * the dataset as its only input, keeping what else the operator had typed, and its output follows
 * the default (named after the dataset) again. The screen then navigates to the preseed tab.
 */
import type { CatalogDataset } from '../../shared/contract.js';
import { usePreseedDraft } from '../preseed/preseed-draft.js';

/** Prefills the preseed form of the dataset's kind with it. */
export function prefillPreseed(d: Pick<CatalogDataset, 'kind' | 'path'>): void {
  const draft = usePreseedDraft.getState();
  if (d.kind === 'raster') draft.setRaster({ ...draft.raster, datasets: [d.path], output: null });
  else draft.setVector({ ...draft.vector, sources: [d.path], layers: [], output: null });
  draft.setLastKind(d.kind);
}
