// "Start at login" on Linux. Electron has no login items there (getLoginItemSettings() always
// answers false and setLoginItemSettings() does nothing), so Berth follows the XDG Autostart
// specification that GNOME, KDE, Xfce and the other desktops implement: a desktop entry in
// $XDG_CONFIG_HOME/autostart (default ~/.config/autostart) starts the app when the user logs in.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoginItemPort } from './ports';

export interface AutostartTarget {
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** What to run: the AppImage file when packaged as one (its path is in $APPIMAGE), else the executable. */
  executable: string;
  /** Arguments after the executable, e.g. --hidden so only the tray comes up. */
  args: readonly string[];
}

const FILE_NAME = 'dev.berth.app.desktop';

export function autostartFile(env: NodeJS.ProcessEnv, homedir: string): string {
  // The spec: an XDG_CONFIG_HOME that is unset, empty or relative is ignored.
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir, '.config');
  return join(config, 'autostart', FILE_NAME);
}

export function xdgAutostartPort(target: AutostartTarget): LoginItemPort {
  const file = autostartFile(target.env, target.homedir);
  return {
    getOpenAtLogin() {
      try {
        // A user may switch an entry off in their desktop's settings, which writes Hidden=true.
        return !/^Hidden\s*=\s*true\s*$/m.test(readFileSync(file, 'utf8'));
      } catch {
        return false;
      }
    },
    setOpenAtLogin(open) {
      if (!open) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(join(file, '..'), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, desktopEntry(target), { mode: 0o644 });
      renameSync(temp, file);
    },
  };
}

function desktopEntry(t: AutostartTarget): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Berth',
    'Comment=Container image registry',
    `Exec=${[t.executable, ...t.args].map(execArgument).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * One argument of an Exec key: quoted when it holds a reserved character, with ", `, $ and \
 * escaped inside the quotes; "%" is doubled (a single % starts a field code). Then the general
 * desktop-entry string escaping doubles each backslash once more.
 */
export function execArgument(arg: string): string {
  const percent = arg.replace(/%/g, '%%');
  const quoted = /[\s"'\\><~|&;$*?#()`]/.test(percent) ? `"${percent.replace(/(["`$\\])/g, '\\$1')}"` : percent;
  return quoted.replace(/\\/g, '\\\\');
}
