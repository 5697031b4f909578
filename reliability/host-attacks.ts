import type { Family } from './harness.js';
export const hostAttackFamily: Family = async () => {};
