/**
 * Renderer entry. In Electron the preload has already put the contract on window.tessera; in a
 * browser (headless host) the browser bridge installs the same API, so nothing below can tell.
 */
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installBrowserBridge } from '../preload/browser-bridge.js';
import { App } from './app.js';
import { codeOf } from './data/job-queries.js';
import { noteEngineStopped } from './shell/engine-status.js';
import './styles.css';

installBrowserBridge();
const queryClient = new QueryClient({
  // A console opened after the engine stopped restarting gets no engine.state event: its first
  // ENGINE_STOPPED answer tells it instead, and asking again would only keep screens loading.
  queryCache: new QueryCache({ onError: noteEngineStopped }),
  defaultOptions: {
    queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: (failures, error) => codeOf(error) !== 'ENGINE_STOPPED' && failures < 3 },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
