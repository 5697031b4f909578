import type { Family } from './harness.js';
export const hostileFilesFamily: Family = async () => {};
