import type { Family } from './harness.js';
export const soakFamily: Family = async () => {};
