/**
 * SQL on a migration's GeoPackage: the statement runner every part of the file writes through
 * (one queue on the GDAL handle, see migration-geopackage.ts) and the literals it splices in.
 */
import type gdal from 'gdal-async';
import { TesseraError } from '../../shared/errors.js';

/** Statements on the file's handle, run inside its queue. */
export interface SqlSession {
  /** Runs a statement that returns no rows. */
  exec(sql: string): Promise<void>;
  /** Runs a query and returns its rows as plain objects. */
  select(sql: string): Promise<Record<string, unknown>[]>;
}

/** The file's queue: `work` runs with the handle once every earlier call on it has finished. */
export interface GeoPackageQueue {
  run<T>(work: (ds: gdal.Dataset, sql: SqlSession) => Promise<T>): Promise<T>;
}

export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function text(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TesseraError('INTERNAL', `not an integer: ${value}`);
  return String(value);
}

export function num(value: number): string {
  if (!Number.isFinite(value)) throw new TesseraError('INTERNAL', `not a number: ${value}`);
  return String(value);
}
