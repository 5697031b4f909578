/**
 * "Run again with these settings" for an Esri migration: the finished job's params, held until the
 * wizard opens and takes them (it then reads the service again, with the same layers chosen).
 * UI state only.
 */
import { create } from 'zustand';
import type { JobParamsOf } from '../../shared/contract.js';

export type MigratePrefill = JobParamsOf<'migrate-esri'>;

export const useMigratePrefill = create<{ prefill: MigratePrefill | null }>(() => ({ prefill: null }));

/** Holds a migration's params for the wizard's next opening. */
export function prefillMigration(params: MigratePrefill): void {
  useMigratePrefill.setState({ prefill: params });
}
