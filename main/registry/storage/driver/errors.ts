// Tier 1 of three: storage errors. They know paths, never OCI; the stores above the
// driver turn them into domain errors, and nothing above the stores sees them.

export class PathNotFoundError extends Error {
  constructor(readonly path: string, readonly driver: string) {
    super(`${driver}: path not found: ${path}`);
  }
}

export class InvalidPathError extends Error {
  constructor(readonly path: string, readonly driver: string) {
    super(`${driver}: invalid path: ${JSON.stringify(path)}`);
  }
}

export class InvalidOffsetError extends Error {
  constructor(readonly path: string, readonly offset: number, readonly driver: string) {
    super(`${driver}: invalid offset ${offset} for ${path}`);
  }
}

/** The storage ran out of space; uploads map this to a clear error and drop their partial data. */
export class StorageFullError extends Error {
  constructor(readonly path: string, readonly driver: string) {
    super(`${driver}: no space left on device writing ${path}`);
  }
}

export class DriverError extends Error {
  constructor(readonly driver: string, override readonly cause: unknown) {
    super(`${driver}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export function isNotFound(err: unknown): err is PathNotFoundError {
  return err instanceof PathNotFoundError;
}

/** A file call's error for a file, or a folder on its path, that is not there. */
export function isMissingFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
