import type { Family } from './harness.js';
export const contractFuzzFamily: Family = async () => {};
