// The real-data fixtures live beside the engine's tests (main/testing); e2e and bench use the same ones.
export * from '../main/testing/real-data.js';

/**
 * Points inside the hillshade's square degree N57E011 (land and the Kattegat alike: it is grey
 * everywhere there), where a map that drew its tiles shows grey and not the background.
 */
export const HILLSHADE_INSIDE: readonly [number, number][] = [
  [11.5, 57.5],
  [11.25, 57.75],
  [11.75, 57.25],
  [11.1, 57.1],
  [11.9, 57.9],
];
