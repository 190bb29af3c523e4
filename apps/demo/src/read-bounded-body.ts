/** The outcome of reading a request body under a size limit. */
export type BoundedBody = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; size: number; drained: boolean };

/**
 * Reads a request body up to `limit` bytes. A larger body is read on and thrown away up to
 * `drainLimit` bytes, so the browser finishes sending and shows the "too large" page instead of a
 * reset connection; beyond that the stream is cancelled (`drained: false`: close the connection).
 */
export async function readBoundedBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  drainLimit: number,
): Promise<BoundedBody> {
  if (!body) return { ok: true, bytes: new Uint8Array() };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size <= limit) chunks.push(value);
    else if (size > drainLimit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, size, drained: false };
    }
  }
  if (size > limit) return { ok: false, size, drained: true };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}
