/** Most of a success body read: ids and results fit in far less; beyond it the rest is discarded. */
export const MAX_SUCCESS_BODY_BYTES = 1024 * 1024;
/** Most of an error body read: enough for any vendor's error JSON. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface CappedText {
  text: string;
  /** The body went on past the cap; what followed was not read. */
  truncated: boolean;
}

type Body = AsyncIterable<Buffer | Uint8Array | string> & { destroy(err?: Error): unknown };

/**
 * Reads a response body up to `limitBytes` and discards the rest (the stream is destroyed, so
 * its connection closes instead of draining a 50 MB answer). A body that breaks off mid-way
 * keeps what arrived.
 */
export async function readCapped(body: Body, limitBytes: number): Promise<CappedText> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (size + buf.length > limitBytes) {
        chunks.push(buf.subarray(0, limitBytes - size));
        size = limitBytes;
        truncated = true;
        break;
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch {
    // the status and what arrived are still worth reporting
  } finally {
    body.destroy();
  }
  return { text: Buffer.concat(chunks, size).toString('utf8'), truncated };
}
