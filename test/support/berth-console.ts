// Berth's web console as a user starts it: `berth serve --console 127.0.0.1:PORT --config FILE`
// (the built bundle). The console prints its address with a one-time `#token=…`; the registry
// itself listens on the config's http.addr.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './berth-process';
import { tempDir } from './cleanup';
import { freePort, outputTail, sleep, spawnProcess, waitForHttp, describeExit, type ManagedProcess } from './processes';
import { testRegistryYaml } from './registry-yaml';

export interface BerthConsole {
  /** The console's base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The address to open in a browser: base URL + #token=… */
  openUrl: string;
  token: string;
  /** The registry: http://127.0.0.1:PORT and 127.0.0.1:PORT. */
  registryUrl: string;
  registryAddr: string;
  config: string;
  root: string;
  home: string;
  proc: ManagedProcess;
}

export async function startBerthConsole(opts: { env?: NodeJS.ProcessEnv; args?: string[]; extraYaml?: string } = {}): Promise<BerthConsole> {
  const work = await tempDir('berth-con-');
  const root = join(work, 'data');
  const home = join(work, 'home');
  await mkdir(home);
  const registryAddr = `127.0.0.1:${await freePort()}`;
  const consoleAddr = `127.0.0.1:${await freePort()}`;
  const config = join(work, 'config.yml');
  await writeFile(config, testRegistryYaml(root, { dataDir: root, addr: registryAddr, logLevel: 'warn', accessLog: true, extra: opts.extraYaml ? [opts.extraYaml] : [] }));
  // A private HOME: Berth's own files (htpasswd, certificates) never land in the real one.
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...opts.env };
  const proc = spawnProcess(`berth console ${consoleAddr}`, process.execPath, [join(repoRoot, 'bin', 'berth.cjs'), 'serve', '--console', consoleAddr, '--config', config, ...(opts.args ?? [])], { cwd: repoRoot, env });

  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null = null;
  while (!(match = /(https?:\/\/[^\s#]+?)\/?#token=([A-Za-z0-9._~%-]+)/.exec(proc.output()))) {
    const exit = proc.exitStatus();
    if (exit) throw new Error(`berth serve --console ${describeExit(exit)}; output:\n${outputTail(proc)}`);
    if (Date.now() > deadline) throw new Error(`berth serve --console printed no #token= address within 30 s; output:\n${outputTail(proc)}`);
    await sleep(100);
  }
  const url = match[1]!;
  const token = decodeURIComponent(match[2]!);
  const registryUrl = `http://${registryAddr}`;
  await waitForHttp(`${url}/`, { proc });
  return { url, openUrl: `${url}/#token=${encodeURIComponent(token)}`, token, registryUrl, registryAddr, config, root, home, proc };
}

/** Calls the console's control API directly (for checks the test makes behind the UI's back). */
export async function consoleCall<T>(c: BerthConsole, method: string, args: unknown = {}): Promise<T> {
  const res = await fetch(`${c.url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: JSON.stringify(args) });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value as T;
}
