// Where the desktop app finds its files. The main bundle is dist/app/main.cjs, so the preload is
// beside it and the renderer at dist/renderer; icons come from resources/ (inside the package's
// resources folder once packaged, see electron-builder.yml extraResources).
import { join } from 'node:path';
import type { TrayIcon } from './tray-model';

export interface AppPaths {
  preload: string;
  rendererDir: string;
  resourcesDir: string;
}

export function appPaths(bundleDir: string, isPackaged: boolean, resourcesPath: string): AppPaths {
  return {
    preload: join(bundleDir, 'preload.cjs'),
    rendererDir: join(bundleDir, '..', 'renderer'),
    resourcesDir: isPackaged ? join(resourcesPath, 'resources') : join(bundleDir, '..', '..', 'resources'),
  };
}

/** macOS menu bar icons are templates (black + alpha, recoloured by the system). */
export function trayIconPath(resourcesDir: string, icon: TrayIcon, platform: NodeJS.Platform): string {
  return join(resourcesDir, platform === 'darwin' ? `tray-${icon}Template.png` : `tray-${icon}.png`);
}
