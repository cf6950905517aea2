// Where Berth keeps its data when no config file says otherwise, following each platform's
// convention (XDG on Linux, Application Support on macOS, %APPDATA% on Windows).
import { posix, win32 } from 'node:path';

export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  homedir: string,
): string {
  if (env.BERTH_DATA_DIR) return env.BERTH_DATA_DIR;
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(homedir, 'AppData', 'Roaming'), 'Berth');
  if (platform === 'darwin') return posix.join(homedir, 'Library', 'Application Support', 'Berth');
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(homedir, '.local', 'share'), 'berth');
}
