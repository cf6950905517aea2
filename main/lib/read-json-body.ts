// A small JSON request body (control API calls, maintenance commands) read with a hard cap, so
// a client cannot make a local server buffer without bound. An empty body is `{}`.
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is over ${limit} bytes`);
  }
}

/** The parsed body; throws BodyTooLargeError past `maxBytes`, SyntaxError when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}
