/**
 * The STAC Transactions extension on the receiving side (issue 17): collections and items another
 * server publishes here are checked for STAC's required fields, stored whole (StacRecords) and then
 * served by the same read API as this Tessera's own holdings. The collections this Tessera derives
 * from its own catalogue and jobs are not writable: a record cannot hide or replace them.
 */
import { z } from 'zod';
import type { StacTransactionInput, StacTransactionResult } from '../../shared/stac-shapes.js';
import { TesseraError, badInputAt } from '../../shared/errors.js';
import type { StacRecords } from '../store/stac-records.js';
import { COLLECTIONS } from './stac-objects.js';

const Link = z.object({ rel: z.string(), href: z.string() }).passthrough();
const Bbox = z.array(z.number()).refine((b) => b.length === 4 || b.length === 6, 'bbox: 4 or 6 numbers');

/** An Item: the fields STAC 1.0 requires (links are the API's own, so they are replaced). */
const ItemBody = z
  .object({
    type: z.literal('Feature'),
    stac_version: z.string().min(1),
    stac_extensions: z.array(z.string()).default([]),
    id: z.string().min(1).max(200),
    collection: z.string().optional(),
    geometry: z.object({ type: z.string(), coordinates: z.array(z.unknown()) }).passthrough(),
    bbox: Bbox,
    properties: z.object({ datetime: z.string().nullable() }).passthrough(),
    links: z.array(Link).default([]),
    assets: z.record(z.string(), z.object({ href: z.string() }).passthrough()),
  })
  .passthrough();

const CollectionBody = z
  .object({
    type: z.literal('Collection'),
    stac_version: z.string().min(1),
    stac_extensions: z.array(z.string()).default([]),
    id: z.string().min(1).max(200),
    description: z.string(),
    license: z.string(),
    extent: z.object({
      spatial: z.object({ bbox: z.array(Bbox).min(1) }),
      temporal: z.object({ interval: z.array(z.array(z.string().nullable())).min(1) }),
    }),
    links: z.array(Link).default([]),
  })
  .passthrough();

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = ['body', ...issue.path].join('.');
  throw badInputAt(field, `${field}: ${issue.message}`);
}

function own(collection: string): boolean {
  return Object.hasOwn(COLLECTIONS, collection);
}

/** The path's id and the body's must agree: a PUT cannot move a record to another id. */
function sameId(field: string, path: string | undefined, body: string | undefined): void {
  if (path !== undefined && body !== undefined && path !== body) throw badInputAt(field, `${field}: ${body} in the body, ${path} in the path`);
}

/** Applies one transaction to the received records. */
export function applyStacTransaction(records: StacRecords, t: StacTransactionInput): StacTransactionResult {
  if (t.target === 'collection') return collectionChange(records, t);
  const collection = t.collection;
  if (collection === undefined) throw badInputAt('collection', 'collection: an item belongs to a collection');
  if (own(collection))
    throw new TesseraError('FORBIDDEN', `collection ${collection} is this Tessera's own holdings and is read-only; publish into a collection of your own`, {
      details: { collection },
    });
  if (!records.collection(collection))
    throw new TesseraError('NOT_FOUND', `no collection ${collection}: create it first (POST /stac/collections)`, { details: { collection } });
  if (t.action === 'delete') {
    if (t.item === undefined || !records.deleteItem(collection, t.item))
      throw new TesseraError('NOT_FOUND', `no item ${t.item} in ${collection}`, { details: { collection, item: t.item } });
    return { action: 'deleted', collection, item: t.item };
  }
  const body = parseBody(ItemBody, t.body);
  sameId('body.collection', collection, body.collection);
  sameId('body.id', t.item, body.id);
  const exists = records.item(collection, body.id) !== null;
  if (t.action === 'create' && exists)
    throw new TesseraError('CONFLICT', `item ${body.id} exists in ${collection}: PUT it to replace it`, { details: { collection, item: body.id } });
  if (t.action === 'update' && !exists)
    throw new TesseraError('NOT_FOUND', `no item ${body.id} in ${collection}: POST it to create it`, { details: { collection, item: body.id } });
  records.putItem({ ...body, collection, links: [] });
  return { action: exists ? 'updated' : 'created', collection, item: body.id };
}

function collectionChange(records: StacRecords, t: StacTransactionInput): StacTransactionResult {
  const id = t.action === 'create' ? undefined : t.collection;
  if (t.action === 'delete') {
    if (id !== undefined && own(id))
      throw new TesseraError('FORBIDDEN', `collection ${id} is this Tessera's own holdings and is read-only`, { details: { collection: id } });
    if (id === undefined || !records.deleteCollection(id)) throw new TesseraError('NOT_FOUND', `no collection ${id}`, { details: { collection: id } });
    return { action: 'deleted', collection: id };
  }
  const body = parseBody(CollectionBody, t.body);
  sameId('body.id', id, body.id);
  if (own(body.id))
    throw new TesseraError(t.action === 'create' ? 'CONFLICT' : 'FORBIDDEN', `collection ${body.id} is this Tessera's own holdings and is read-only`, {
      details: { collection: body.id },
    });
  const exists = records.collection(body.id) !== null;
  if (t.action === 'create' && exists)
    throw new TesseraError('CONFLICT', `collection ${body.id} exists: PUT it to replace it`, { details: { collection: body.id } });
  if (t.action === 'update' && !exists)
    throw new TesseraError('NOT_FOUND', `no collection ${body.id}: POST it to create it`, { details: { collection: body.id } });
  records.putCollection({ ...body, links: [] });
  return { action: exists ? 'updated' : 'created', collection: body.id };
}
