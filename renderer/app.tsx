/**
 * The console's shell: header (health, queue pause/resume, theme, shortcuts), the left rail, the
 * screen the hash names, toasts. It owns the one subscription to the engine's events and the
 * keyboard shortcuts; the screens live in their folders (queue/, job-detail/, map/, storage/,
 * settings/).
 */
import { IngestDropZone } from './ingest/drop-zone.js';
import { useEngineEvents } from './shell/engine-events.js';
import { Header } from './shell/header.js';
import { Nav } from './shell/nav.js';
import { useQueueToggle } from './shell/queue-toggle.js';
import { ScreenOutlet } from './shell/screen-outlet.js';
import { ShortcutHelp } from './shell/shortcut-help.js';
import { useApplyTheme } from './shell/theme.js';
import { Toasts } from './shell/toasts.js';
import { useHashRouting } from './shell/use-hash-routing.js';
import { useShortcuts } from './shell/use-shortcuts.js';
import './shell/shell.css';

/** The whole console: main.tsx renders it inside the QueryClientProvider. */
export function App() {
  useHashRouting();
  useApplyTheme();
  useEngineEvents();
  const { queue, pending, toggle } = useQueueToggle();
  useShortcuts(toggle);
  return (
    <div className="app">
      <Header queue={queue.data} queuePending={pending} onToggleQueue={toggle} />
      <Nav queue={queue.data} />
      <main>
        <ScreenOutlet />
      </main>
      <ShortcutHelp />
      <Toasts />
      <IngestDropZone />
    </div>
  );
}
