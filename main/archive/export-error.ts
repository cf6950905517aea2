/** An export that cannot start or finish; its message is the one line the CLI prints. */
export class ExportError extends Error {
  override name = 'ExportError';
}
