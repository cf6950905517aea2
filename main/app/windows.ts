// The main window: hardened webPreferences (explicit even where they are Electron's defaults, so
// a reviewer sees them), shown when ready, loading the renderer from berth://app/.
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_INDEX_URL } from './app-url';

/**
 * The page's background (--bg in renderer/src/styles.css, light and dark): painted before the
 * page is, so a window that opens in a dark theme does not flash white. A test keeps them equal.
 */
export const WINDOW_BACKGROUND = { light: '#f4f6f9', dark: '#15191f' } as const;

export function mainWindowOptions(preloadPath: string, iconPath?: string, dark = false): BrowserWindowConstructorOptions {
  return {
    backgroundColor: dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    width: 1180,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    show: false, // shown on ready-to-show, so there is no white flash
    title: 'Berth',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath, // one bundled CommonJS file (a sandboxed preload cannot load modules)
      contextIsolation: true, // checklist #3
      sandbox: true, // checklist #4
      nodeIntegration: false, // checklist #2
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true, // checklist #6
      allowRunningInsecureContent: false, // checklist #8
      experimentalFeatures: false, // checklist #9
      webviewTag: false, // checklist #12
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

export { APP_INDEX_URL };
