import type { Family } from './harness.js';
export const diskFullFamily: Family = async () => {};
