/**
 * `Promise.all` for work on GDAL datasets that are closed afterwards. `Promise.all` rejects at the
 * first failure while the other operations still run on their handles; a `finally` that then
 * closes those handles makes gdal-async block the event loop until they finish and print
 * "Closing a dataset while background async operations are still running" (seen on `tessera
 * serve`'s SIGTERM, an analysis given up mid-count). Waiting for every one to settle first costs
 * nothing on success and keeps closes after the work they end.
 */

/** Every result, in order, once all have settled; else the first rejection, also only once all have settled. */
export async function settleAll<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(work);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

/**
 * Opens `count` handles with `open`; when one fails, the others that opened are closed (after
 * every open settled) before the failure is thrown, so none is left to the garbage collector.
 */
export async function openAll<D extends { close(): void }>(count: number, open: () => Promise<D>): Promise<D[]> {
  const outcomes = await Promise.allSettled(Array.from({ length: count }, open));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (!failed) return outcomes.map((o) => (o as PromiseFulfilledResult<D>).value);
  for (const o of outcomes) if (o.status === 'fulfilled') o.value.close();
  throw failed.reason;
}
