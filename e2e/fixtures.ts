// The real-data fixtures live beside the engine's tests (main/testing); e2e and bench use the same ones.
export * from '../main/testing/real-data.js';
