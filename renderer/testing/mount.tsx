/**
 * Mounts one screen as main.tsx would (a QueryClient, `window.tessera` built by the real
 * createTesseraApi) over an in-memory transport, with React's act() and no @testing-library.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, act } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import type { TesseraDesktop } from '../../preload/desktop-api.js';
import { createTesseraApi } from '../../shared/contract.js';
import { type Handlers, type MemoryTransport, memoryTransport } from './memory-transport.js';

(globalThis as typeof globalThis & { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A mounted screen: its container, the transport's record of calls, and the way to take it down. */
export interface Mounted extends MemoryTransport {
  container: HTMLElement;
  queryClient: QueryClient;
  unmount(): Promise<void>;
}

/** Renders `element` with a fresh QueryClient over `handlers` (and a desktop bridge, if given); resolves once the first render is in. */
export async function mount(element: ReactNode, handlers: Handlers, options: { desktop?: TesseraDesktop } = {}): Promise<Mounted> {
  const memory = memoryTransport(handlers);
  // `desktop` as the Electron preload offers it; absent, as in the browser console.
  const api = { ...createTesseraApi(memory.transport), ...(options.desktop && { desktop: options.desktop }) };
  Object.defineProperty(window, 'tessera', { value: api, configurable: true, enumerable: true, writable: false });
  // No retries: a failing request shows its error at once instead of after three backoffs.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 5_000, refetchOnWindowFocus: false } } });
  const container = document.createElement('div');
  document.body.append(container);
  const root: Root = createRoot(container);
  await act(async () => root.render(<QueryClientProvider client={queryClient}>{element}</QueryClientProvider>));
  const unmount = async () => {
    await act(async () => root.unmount());
    container.remove();
    queryClient.clear();
    delete (window as { tessera?: unknown }).tessera;
  };
  return { ...memory, container, queryClient, unmount };
}

/** Lets React and the queries run until `probe` returns something truthy. */
export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false,
  options: { timeoutMs?: number; container?: HTMLElement } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 2000);
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; the page holds:\n${(options.container?.innerHTML ?? document.body.innerHTML).slice(0, 4000)}`);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
    });
  }
}

/** Clicks an element inside act(). */
export async function click(element: Element): Promise<void> {
  await act(async () => (element as HTMLElement).click());
}

/**
 * Types into an input or picks an option, the way React notices: through the native value setter,
 * then an input (and change) event.
 */
export async function setValue(element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string): Promise<void> {
  const proto =
    element instanceof HTMLSelectElement
      ? HTMLSelectElement.prototype
      : element instanceof HTMLTextAreaElement
        ? HTMLTextAreaElement.prototype
        : HTMLInputElement.prototype;
  await act(async () => {
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(element, value);
    element.dispatchEvent(new Event('input', { bubbles: true }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

/** Ticks or unticks a checkbox or radio through a click, as a person would. */
export async function setChecked(element: HTMLInputElement, checked: boolean): Promise<void> {
  if (element.checked !== checked) await click(element);
}

/** The element whose trimmed text is `text`, among those matching `selector`. */
export function byText<E extends Element = HTMLElement>(root: ParentNode, selector: string, text: string | RegExp): E | null {
  return (
    [...root.querySelectorAll<E>(selector)].find((e) => {
      const t = (e.textContent ?? '').trim();
      return typeof text === 'string' ? t === text : text.test(t);
    }) ?? null
  );
}
