/**
 * How tasks and results travel through Redis. BullMQ stores job data as JSON, where a Uint8Array
 * becomes an object with one key per byte; tile bytes go as base64 strings instead (4/3 of their
 * size), tagged so the other side gets Uint8Arrays back. Plain JSON otherwise: no codec package
 * beyond what Node has.
 */
const TAG = '$b64';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return { [TAG]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (v instanceof ArrayBuffer) return { [TAG]: Buffer.from(v).toString('base64'), ab: true };
    return v;
  });
}

export function decodeWire<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && TAG in v) {
      const bytes = Buffer.from((v as Record<string, string>)[TAG]!, 'base64');
      // A copy that owns its memory: transferable to a worker thread, unlike a pooled Buffer slice.
      const own = new Uint8Array(bytes.byteLength);
      own.set(bytes);
      return 'ab' in v ? own.buffer : own;
    }
    return v;
  }) as T;
}
