// Where the registry's configuration lives. The control API reads the config.yml text, edits it
// (apply-patch.ts) and hands the validated result back; the store decides where it goes:
//  - ConfigFileStore: a config.yml on disk (headless and console mode), edited in place so the
//    user's comments survive;
//  - the desktop app's electron-store (main/app/store), which keeps the same text and writes it
//    out as config.yml beside itself.
import { access, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../lib/atomic-file';

export interface SettingsStore {
  /** Where the configuration lives, for messages (the user's own path). */
  readonly location: string;
  /** The config.yml text in force. */
  read(): Promise<string>;
  /** Replaces it; the caller has validated `yaml` with parseConfig. */
  write(yaml: string): Promise<void>;
}

export interface ConfigFileStoreOptions {
  path: string;
  /**
   * The text to use while `path` does not exist (Berth's embedded default): the first change
   * then writes it, with the change, to `path`.
   */
  fallback?: () => string;
}

export class ConfigFileStore implements SettingsStore {
  constructor(private readonly opts: ConfigFileStoreOptions) {}

  get location(): string {
    return this.opts.path;
  }

  async read(): Promise<string> {
    try {
      return await readFile(this.opts.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.opts.fallback) return this.opts.fallback();
      throw err;
    }
  }

  async write(yaml: string): Promise<void> {
    // 0600: the file may hold the proxy's upstream password.
    await writeFileAtomic(this.opts.path, yaml, 0o600);
  }
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
