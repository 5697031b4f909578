/**
 * What the e2e specs do to the console's page as a person or the page itself would: drop files
 * from the desktop, and make a contract call with the page's own session.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';

/** Drops `paths` on the page as a drag from the desktop would: dragenter, dragover, drop. */
export async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const payload = paths.map((p) => ({ name: basename(p), base64: readFileSync(p).toString('base64') }));
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], f.name));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop'])
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

/** A contract call with the page's session (the cookie), as the console makes them. */
export async function pageApi<T>(page: Page, name: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ([n, i]) => {
      const response = await fetch(`/api/${n}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(i) });
      const reply = (await response.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!reply.ok) throw new Error(reply.error?.message);
      return reply.result;
    },
    [name, input] as const,
  ) as Promise<T>;
}
