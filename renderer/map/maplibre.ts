/**
 * maplibre-gl, wired for Vite once for every map of the console (the map preview, the preseed
 * form's extent map). Importing it from here keeps the wiring in one place, and the library in
 * one shared chunk that the screens with a map load on first visit.
 */
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

// maplibre-gl 6 ships its worker as a separate module; without this the map never loads under Vite.
maplibregl.setWorkerUrl(workerUrl);

export { maplibregl };
