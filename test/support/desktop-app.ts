// The desktop app's built main process (dist/app/main.cjs) run by plain Node under the Electron
// stand-in (test/support/electron-stand-in): `node --require register.cjs dist/app/main.cjs`,
// with its own userData folder, data folder and HOME, and the stand-in's control channel (the
// child-process IPC) for asking it what the app did and for acting as the user and the OS.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './berth-process';
import { tempDir } from './cleanup';
import { describeExit, freePort, outputTail, sleep, spawnProcess, type ExitStatus, type ManagedProcess } from './processes';
import { testRegistryYaml } from './registry-yaml';

export const MAIN_BUNDLE = join(repoRoot, 'dist', 'app', 'main.cjs');
export const PRELOAD_BUNDLE = join(repoRoot, 'dist', 'app', 'preload.cjs');
export const RENDERER_DIR = join(repoRoot, 'dist', 'renderer');
const REGISTER = join(repoRoot, 'test', 'support', 'electron-stand-in', 'register.cjs');

/** Something the app did to Electron, as the stand-in reported it (see its control.cjs). */
export interface StandInEvent {
  event: string;
  [key: string]: unknown;
}

export interface MenuItemState { id?: string; type: string; label: string; enabled: boolean; visible: boolean; checked: boolean }
export interface LoadState { url: string; status?: number; netError?: string; type?: string; csp?: string }
export interface WindowState {
  id: number;
  visible: boolean;
  focused: boolean;
  minimized: boolean;
  url: string;
  options: { webPreferences?: Record<string, unknown>; show?: boolean; icon?: string };
  loads: LoadState[];
  preload?: { file: string; required: string[]; exposed: string[]; error?: string };
}
export interface TrayState { image: string; imageSize: { width: number; height: number }; tooltip: string; history: string[]; menu: MenuItemState[] }
export interface StandInState {
  pid: number;
  ready: boolean;
  singleInstanceLock: boolean;
  privilegedSchemes: Record<string, Record<string, boolean>>;
  handledSchemes: string[];
  permissionHandlers?: { request: boolean; check: boolean };
  ipcChannels: string[];
  windows: WindowState[];
  trays: TrayState[];
  clipboard: string;
  openedExternal: string[];
  notifications: Array<{ title: string; body: string }>;
}

export interface ProtocolResponse { url: string; status?: number; headers?: Record<string, string>; body?: Buffer; netError?: string; error?: string }

export interface DesktopApp {
  proc: ManagedProcess;
  userData: string;
  /** $HOME of the app (its XDG_CONFIG_HOME is <home>/.config). */
  home: string;
  /** config.yml the app writes beside its store. */
  config: string;
  /** The registry as the preset config places it: 127.0.0.1:PORT and http://127.0.0.1:PORT. */
  registryAddr: string;
  registryUrl: string;
  /** Every event reported so far, oldest first. */
  events: StandInEvent[];
  onEvent(listener: (e: StandInEvent) => void): () => void;
  /** Asks the stand-in (see index.cjs for the requests). */
  request<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  state(): Promise<StandInState>;
  /** Polls the state until `check` returns something truthy (or throws its last reason). */
  waitFor<T>(what: string, check: (s: StandInState) => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Fetches a URL through the protocol handler the app registered. */
  fetch(url: string, init?: { method?: string }): Promise<ProtocolResponse>;
  /** ipcRenderer.invoke of the control channel from a frame showing `frameUrl`. */
  invoke<T = unknown>(frameUrl: string | null, method: string, args?: unknown): Promise<T>;
  exited: Promise<ExitStatus>;
}

export interface LaunchOptions {
  /** Shared with another launch to test the single-instance lock; a fresh one by default. */
  userData?: string;
  /** The config text stored in electron-store; by default a test registry on a free loopback port. */
  configText?: string;
  /** Top-level lines added to the default config text (like startBerthConsole's extraYaml). */
  extraYaml?: string;
  /** Written as <userData>/berth-settings.json instead of { config: configText }. */
  storeFileText?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  name?: string;
}

/** Starts the built main process; resolves once the stand-in answers (not once the app is up). */
export async function launchDesktopApp(o: LaunchOptions = {}): Promise<DesktopApp> {
  const work = await tempDir('berth-dt-');
  const userData = o.userData ?? join(work, 'user-data');
  const home = join(work, 'home');
  await mkdir(userData, { recursive: true });
  await mkdir(home);
  const registryAddr = `127.0.0.1:${await freePort()}`;
  if (o.storeFileText !== undefined) {
    await writeFile(join(userData, 'berth-settings.json'), o.storeFileText);
  } else if (o.configText !== undefined || !o.userData) {
    // What the window would have saved: the config text in electron-store's file.
    const configText = o.configText ?? testRegistryYaml(work, { addr: registryAddr, logLevel: 'warn', accessLog: true, extra: o.extraYaml ? [o.extraYaml] : [] });
    await writeFile(join(userData, 'berth-settings.json'), JSON.stringify({ config: configText }, null, 2));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), BERTH_DATA_DIR: join(work, 'berth-data'), BERTH_STANDIN_USER_DATA: userData, ...o.env,
  };
  const proc = spawnProcess(o.name ?? `berth desktop (stand-in) ${userData}`, process.execPath, ['--require', REGISTER, MAIN_BUNDLE, ...(o.args ?? [])], { cwd: repoRoot, env, ipc: true });

  const events: StandInEvent[] = [];
  const listeners = new Set<(e: StandInEvent) => void>();
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  proc.child.on('message', (msg: { id?: number; ok?: boolean; value?: unknown; error?: string; event?: string }) => {
    if (typeof msg.id === 'number') {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.ok) w?.resolve(msg.value);
      else w?.reject(new Error(msg.error));
    } else if (typeof msg.event === 'string' && msg.event !== 'flush') {
      events.push(msg as StandInEvent);
      for (const l of listeners) l(msg as StandInEvent);
    }
  });
  void proc.exited.then((s) => {
    for (const w of waiting.values()) w.reject(new Error(`${proc.name} ${describeExit(s)}; output:\n${outputTail(proc)}`));
    waiting.clear();
  });

  const request = <T>(op: string, args: Record<string, unknown> = {}) => new Promise<T>((resolve, reject) => {
    const exit = proc.exitStatus();
    if (exit) return reject(new Error(`${proc.name} ${describeExit(exit)}; output:\n${outputTail(proc)}`));
    const id = nextId++;
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    proc.child.send({ id, op, args });
  });
  const state = () => request<StandInState>('state');
  const app: DesktopApp = {
    proc, userData, home, config: join(userData, 'config.yml'), registryAddr, registryUrl: `http://${registryAddr}`, events,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    request, state,
    async waitFor(what, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last: StandInState | undefined;
      for (;;) {
        last = await state();
        const v = check(last);
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last state:\n${JSON.stringify(last, null, 1).slice(0, 4000)}\noutput:\n${outputTail(proc)}`);
        await sleep(100);
      }
    },
    async fetch(url, init = {}) {
      const r = await request<Omit<ProtocolResponse, 'body'> & { body?: string }>('protocol.fetch', { url, method: init.method });
      return { ...r, body: r.body === undefined ? undefined : Buffer.from(r.body, 'base64') };
    },
    invoke: (frameUrl, method, args) => request('ipc.invoke', { frameUrl, channel: 'berth:control', args: [method, args] }),
    exited: proc.exited,
  };
  // Wait until the stand-in's channel answers, so requests do not race its loading.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await Promise.race([state(), sleep(2_000).then(() => { throw new Error('no answer'); })]);
      break;
    } catch (err) {
      if (proc.exitStatus() || Date.now() > deadline) {
        if (proc.exitStatus()) return app; // exited early (a second instance, a fatal start): the caller looks at how
        throw new Error(`the Electron stand-in did not answer within 30 s: ${(err as Error).message}; output:\n${outputTail(proc)}`);
      }
    }
  }
  return app;
}

/** Waits until the registry the app started serves, as the tray tells it ("Running at …"). */
export async function waitUntilRunning(app: DesktopApp, timeoutMs = 30_000): Promise<StandInState> {
  return app.waitFor('the tray says the registry is running', (s) => (s.trays[0]?.tooltip.startsWith('Berth — Running at') ? s : undefined), timeoutMs);
}
