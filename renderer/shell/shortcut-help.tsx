/** The `?` list of keyboard shortcuts, from the same table the key handler uses. */
import { useEffect, useRef } from 'react';
import { useUi } from '../ui-store.js';
import { SHORTCUTS } from './shortcuts.js';

const KEY_NAMES: Record<string, string> = { Escape: 'Esc' };

/** A modal list of the shortcuts, while `useUi().shortcutsOpen`; focus returns where it was on close. */
export function ShortcutHelp() {
  const open = useUi((s) => s.shortcutsOpen);
  const setOpen = useUi((s) => s.setShortcutsOpen);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => before?.focus?.();
  }, [open]);
  if (!open) return null;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; the keyboard has Esc and the Close button
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; the keyboard has Esc and the Close button
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
        <div className="dialog-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeButton} type="button" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a fixed key sequence, where a key may repeat
                    <kbd key={i}>{KEY_NAMES[k] ?? k}</kbd>
                  ))}
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small muted">Shortcuts wait while you type in a field; Esc leaves the field.</p>
      </div>
    </div>
  );
}
