/**
 * Renderer entry. In Electron the preload has already put the contract on window.tessera; in a
 * browser (headless host) the browser bridge installs the same API, so nothing below can tell.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installBrowserBridge } from '../preload/browser-bridge.js';
import { App } from './app.js';
import './styles.css';

installBrowserBridge();
const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: false } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
