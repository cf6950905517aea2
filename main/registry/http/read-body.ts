// Reads a small request body (a manifest) into memory with a hard cap, refusing early on a
// Content-Length over the cap so an oversize body is never buffered.
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errors';

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    throw new RegistryError('manifest-too-large', `manifest is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop must not destroy the request: that would cut the connection before the
  // 413 is sent (the dispatcher drains what is left instead).
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      throw new RegistryError('manifest-too-large', `manifest is larger than the limit of ${maxBytes} bytes`, { limit: maxBytes });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** True when the request carries a body (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** The announced Content-Length, if any. */
export function contentLength(req: IncomingMessage): number | undefined {
  const len = req.headers['content-length'];
  return len === undefined ? undefined : Number(len);
}
