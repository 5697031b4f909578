/**
 * STAC records other servers sent here (table stac_records, migration 9): collections and items
 * received through the Transactions extension, kept whole as they came. What this Tessera holds
 * itself is never stored here: it is derived from the catalogue and the jobs at each read.
 */
import type { StacCollection, StacItem } from '../../shared/stac-shapes.js';
import type { Db } from './database.js';

/** The item column of a collection's own row. */
const COLLECTION_ROW = '';

export class StacRecords {
  private readonly stmt;

  constructor(db: Db) {
    this.stmt = {
      get: db.prepare('SELECT body FROM stac_records WHERE collection = ? AND item = ?'),
      put: db.prepare(
        `INSERT INTO stac_records (collection, item, body, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection, item) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      ),
      deleteOne: db.prepare('DELETE FROM stac_records WHERE collection = ? AND item = ?'),
      deleteCollection: db.prepare('DELETE FROM stac_records WHERE collection = ?'),
      collections: db.prepare('SELECT body FROM stac_records WHERE item = ? ORDER BY collection'),
      items: db.prepare('SELECT body FROM stac_records WHERE item <> ? ORDER BY collection, item'),
    };
    this.deleteCollectionTx = db.transaction((id: string) => this.stmt.deleteCollection.run(id).changes > 0);
  }

  private readonly deleteCollectionTx: (id: string) => boolean;

  collection(id: string): StacCollection | null {
    const row = this.stmt.get.get(id, COLLECTION_ROW) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as StacCollection) : null;
  }

  item(collection: string, id: string): StacItem | null {
    if (id === COLLECTION_ROW) return null;
    const row = this.stmt.get.get(collection, id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as StacItem) : null;
  }

  /** Stores a collection as received (checked by main/stac/stac-transactions.ts). */
  putCollection(collection: { id: string; [field: string]: unknown }): void {
    this.stmt.put.run(collection.id, COLLECTION_ROW, JSON.stringify(collection), new Date().toISOString());
  }

  /** Stores an item as received (checked by main/stac/stac-transactions.ts). */
  putItem(item: { collection: string; id: string; [field: string]: unknown }): void {
    this.stmt.put.run(item.collection, item.id, JSON.stringify(item), new Date().toISOString());
  }

  /** Deletes a collection and every item received into it; false when there was none. */
  deleteCollection(id: string): boolean {
    return this.deleteCollectionTx(id);
  }

  deleteItem(collection: string, id: string): boolean {
    return id !== COLLECTION_ROW && this.stmt.deleteOne.run(collection, id).changes > 0;
  }

  collections(): StacCollection[] {
    return (this.stmt.collections.all(COLLECTION_ROW) as { body: string }[]).map((r) => JSON.parse(r.body) as StacCollection);
  }

  items(): StacItem[] {
    return (this.stmt.items.all(COLLECTION_ROW) as { body: string }[]).map((r) => JSON.parse(r.body) as StacItem);
  }
}
