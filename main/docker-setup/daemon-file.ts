// Reading the daemon.json the wizard is about to edit. The preview shows the file's text to the
// user, so what is read must be that file and nothing else: a regular file at the known path,
// not a symlink to somewhere else (~/.docker/config.json, a key), not a FIFO or device that would
// hang or stream, and small enough to be a configuration. A refusal names the reason, never a
// byte of the content.
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { DaemonJsonError } from './daemon-json';

/** daemon.json files are a few hundred bytes; anything near this is not one. */
export const DAEMON_JSON_MAX_BYTES = 1024 * 1024;

/** The file's text, or '' when it does not exist yet (the wizard will create it). */
export async function readDaemonFile(path: string): Promise<string> {
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new DaemonJsonError(`${path} cannot be read (${err.code ?? 'error'})`);
  });
  if (!st) return '';
  if (st.isSymbolicLink()) throw new DaemonJsonError(`${path} is a symbolic link; Berth edits only a regular file there (edit it by hand, or point BERTH_DOCKER_DAEMON_JSON at the real file)`);
  if (!st.isFile()) throw new DaemonJsonError(`${path} is not a regular file`);
  // O_NOFOLLOW: a symlink swapped in after the check is refused too, not followed.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let handle;
  try {
    handle = await open(path, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DaemonJsonError(code === 'ELOOP' ? `${path} is a symbolic link; Berth edits only a regular file there` : `${path} cannot be read (${code ?? 'error'})`);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new DaemonJsonError(`${path} is not a regular file`);
    if (opened.size > DAEMON_JSON_MAX_BYTES) throw new DaemonJsonError(`${path} is larger than 1 MiB, which no daemon.json is; Berth will not change it`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
