/**
 * "Browse…": a native file dialog beside a path field, on the desktop only (issue 18). In the
 * browser console the dialog would open on the server's screen, if it has one, so there is no
 * button: the operator types the server's path (the datalist suggests recent ones).
 */
import { useState } from 'react';
import type { DesktopPickInput } from '../../preload/desktop-api.js';

export interface BrowseButtonProps {
  purpose: DesktopPickInput['purpose'];
  multiple?: boolean;
  /** The field's path now: the dialog opens there. */
  current?: string;
  onPick: (paths: string[]) => void;
  label?: string;
}

export function BrowseButton({ purpose, multiple, current, onPick, label = 'Browse…' }: BrowseButtonProps) {
  const desktop = window.tessera.desktop;
  const [failure, setFailure] = useState<string | null>(null);
  if (!desktop) return null;
  const browse = async () => {
    setFailure(null);
    try {
      const paths = await desktop.pick({ purpose, multiple, defaultPath: current?.trim() || undefined });
      if (paths.length) onPick(paths);
    } catch (error) {
      setFailure((error as { message?: string }).message ?? String(error));
    }
  };
  return (
    <>
      <button type="button" data-browse={purpose} onClick={() => void browse()} title="Choose with the system's file dialog">
        {label}
      </button>
      {failure && (
        <span className="field-error small" role="alert">
          {failure}
        </span>
      )}
    </>
  );
}

/** "Show in folder": the file manager opened on a path, on the desktop only. */
export function RevealButton({ path }: { path: string }) {
  const desktop = window.tessera.desktop;
  const [failure, setFailure] = useState<string | null>(null);
  if (!desktop) return null;
  const label = navigator.platform.startsWith('Mac') ? 'Reveal in Finder' : 'Show in folder';
  return (
    <>
      <button
        type="button"
        data-testid="reveal"
        title={path}
        onClick={() => {
          setFailure(null);
          desktop.reveal(path).catch((error: { message?: string }) => setFailure(error.message ?? String(error)));
        }}
      >
        {label}
      </button>
      {failure && (
        <span className="error small" role="alert">
          {failure.replace(/^path: /, '')}
        </span>
      )}
    </>
  );
}
