/**
 * Files dropped anywhere on the console go into the catalogue: an overlay over the whole window
 * while files are dragged over it, and the ingest panel (per-file progress, quota gauges, every
 * refusal with its reason) once they are dropped. `AddFilesButton` does the same from a file
 * picker, for keyboards and for people who do not drag.
 */
import { useAppInfo } from '../data/app-info.js';
import { useEffect, useRef, useState } from 'react';
import { TesseraError } from '../../shared/errors.js';
import { IngestPanel } from './ingest-panel.js';
import { type DropDeps, type DroppedFile, ingestDrop } from './ingest-store.js';
import { uploadFile } from './upload-client.js';
import './ingest.css';

/**
 * How files reach the engine on this host. On the desktop the preload's `files.pathFor` names
 * where a dropped file lives, and the job reads it there; in the browser `window.tessera.files`
 * is absent and every file is uploaded to the headless host.
 */
export function dropDeps(host: 'electron' | 'headless' | undefined): DropDeps {
  if (host === 'electron') {
    const files = window.tessera.files;
    return {
      pathFor: files ? (file) => files.pathFor(file) : undefined,
      upload: async (file) => {
        throw new TesseraError('BAD_INPUT', `${file.name}: this desktop build cannot see where dropped files are; ingest it with tessera ingest <file>`);
      },
    };
  }
  return { upload: (file, onProgress) => uploadFile(file, { onProgress }) };
}

/** The files of a drop, with folders told apart from files. */
export function droppedFiles(transfer: DataTransfer): DroppedFile[] {
  const items = [...transfer.items].filter((i) => i.kind === 'file');
  if (items.length > 0) {
    return items.map((item) => {
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      const file = item.getAsFile();
      return { name: file?.name ?? entry?.name ?? 'unnamed', size: file?.size ?? 0, directory: entry?.isDirectory ?? false, file };
    });
  }
  return [...transfer.files].map((file) => ({ name: file.name, size: file.size, directory: false, file }));
}

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer !== null && [...event.dataTransfer.types].includes('Files');
}

/** The whole-window drop target and the ingest panel. Mounted once, by the shell. */
export function IngestDropZone() {
  const info = useAppInfo();
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const host = useRef(info.data?.host);
  host.current = info.data?.host;

  useEffect(() => {
    const enter = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth.current++;
      setDragging(true);
    };
    const over = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    };
    const leave = (event: DragEvent) => {
      if (!carriesFiles(event)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    };
    const drop = (event: DragEvent) => {
      if (!carriesFiles(event) || !event.dataTransfer) return;
      // Dropped on the page, files must never be opened by the browser in place of the console.
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      const files = droppedFiles(event.dataTransfer);
      if (files.length === 0) return;
      // A drop in the first moments of a page may come before the host is known: ask for it then.
      const known = host.current;
      void (
        known
          ? Promise.resolve(known)
          : window.tessera.app.info({}).then(
              (i) => i.host,
              () => undefined,
            )
      ).then((h) => ingestDrop(files, dropDeps(h)));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      {dragging && (
        <div className="ingest-overlay" data-testid="drop-overlay">
          <div className="ingest-overlay-card">
            <strong>Drop to ingest into the catalogue</strong>
            <span className="small">
              GeoPackage, Shapefile (zipped, or with its .dbf/.shx/.prj), GeoJSON, TopoJSON, KML/KMZ, GML, GPX, CSV, FlatGeobuf, GeoTIFF and other rasters, ZIP
              archives of these
            </span>
          </div>
        </div>
      )}
      <IngestPanel />
    </>
  );
}

/** A button with a file picker that ingests what is picked, as a drop would. */
export function AddFilesButton() {
  const info = useAppInfo();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>
        Add files…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to ingest"
        data-testid="add-files"
        onChange={(event) => {
          const picked = [...(event.currentTarget.files ?? [])].map((file) => ({ name: file.name, size: file.size, directory: false, file }));
          event.currentTarget.value = '';
          if (picked.length > 0) void ingestDrop(picked, dropDeps(info.data?.host));
        }}
      />
    </>
  );
}
