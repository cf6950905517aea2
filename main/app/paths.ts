// Where the desktop app finds its files. The main bundle is dist/app/main.cjs, so the preload is
// beside it and the renderer at dist/renderer: inside the app's archive once packaged
// (<resources>/app.asar/dist/…, which Electron reads like a folder), in the checkout otherwise.
// Icons live outside the archive, in <resources>/resources/ once packaged (electron-builder.yml
// extraResources), in the checkout's resources/ otherwise. test/unit/app/paths.test.ts lays out
// both the way electron-builder does and checks every path names a real file.
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

/**
 * Each platform's tray image: macOS menu bar templates (black + alpha, recoloured by the system;
 * Electron picks the @2x file beside it), a Windows .ico holding 16 and 32 px, a PNG on Linux.
 */
export function trayIconPath(resourcesDir: string, icon: TrayIcon, platform: NodeJS.Platform): string {
  const file = platform === 'darwin' ? `tray-${icon}Template.png` : platform === 'win32' ? `tray-${icon}.ico` : `tray-${icon}.png`;
  return join(resourcesDir, file);
}

/** The window's icon (Linux shows it; macOS and Windows take the bundle's or executable's). */
export function appIconPath(resourcesDir: string): string {
  return join(resourcesDir, 'icon.png');
}
