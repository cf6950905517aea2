// The two faces the window's UI runs on, for one browser suite run through both: the web console
// (`berth serve --console`, HTTP with a bearer token) and the desktop app's IPC (the built main
// process under the Electron stand-in, its window in Chromium through desktop-window.ts). A test
// written against a Face opens the same pages and checks the same registry either way.
import type { Page } from 'playwright-core';
import { startBerthConsole } from './berth-console';
import { launchDesktopApp, waitUntilRunning } from './desktop-app';
import { installPreload, startAppBridge } from './desktop-window';

export const FACES = ['console', 'ipc'] as const;
export type FaceName = (typeof FACES)[number];

export interface Face {
  name: FaceName;
  /** The page's origin: routes open at `${url}/#/<route>`. */
  url: string;
  /** What a user opens first (the console's address carries its #token=…). */
  openUrl: string;
  /** The registry: http://127.0.0.1:PORT and 127.0.0.1:PORT. */
  registryUrl: string;
  registryAddr: string;
  /** The config.yml the face keeps the settings in. */
  config: string;
  /** Readies a fresh page for this face (the desktop window's preload); before its first navigation. */
  preparePage(page: Page): Promise<void>;
  /** The ipc face: how many calls the page made through the preload's ipcRenderer.invoke. */
  ipcCalls?: () => number;
}

export interface FaceOptions {
  /** Environment of the Berth process (the Docker the wizard edits…). */
  env?: NodeJS.ProcessEnv;
  /** Top-level lines added to the registry's config.yml. */
  extraYaml?: string;
}

export async function startFace(name: FaceName, o: FaceOptions = {}): Promise<Face> {
  if (name === 'console') {
    const c = await startBerthConsole({ env: o.env, extraYaml: o.extraYaml });
    return { name, url: c.url, openUrl: c.openUrl, registryUrl: c.registryUrl, registryAddr: c.registryAddr, config: c.config, preparePage: async () => undefined };
  }
  const app = await launchDesktopApp({ name: 'berth desktop (ipc face)', env: o.env, extraYaml: o.extraYaml });
  await waitUntilRunning(app);
  const bridge = await startAppBridge(app);
  let counted: (() => number) | undefined;
  return {
    name, url: bridge.url, openUrl: `${bridge.url}/`, registryUrl: app.registryUrl, registryAddr: app.registryAddr, config: app.config,
    async preparePage(page) {
      counted = (await installPreload(page, app, bridge)).calls;
    },
    ipcCalls: () => counted?.() ?? 0,
  };
}
