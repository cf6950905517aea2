/** An import that cannot start or finish; its message is the one line the CLI prints. */
export class ImportError extends Error {
  override name = 'ImportError';
}
