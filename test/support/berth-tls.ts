// Berth serving HTTPS with htpasswd logins on a loopback port, set up the way the README tells
// users to: `berth users add` and `berth certs init` on its config.yml, then `berth serve`. The
// clients trust the CA `certs init` wrote (ca.crt); `certDir` holds only that file, the layout
// containers/image's --cert-dir expects (a *.key there would be read as a client certificate).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { repoRoot } from './berth-process';
import { tempDir } from './cleanup';
import { freePort, outputTail, runCommand, sleep, spawnProcess, type ManagedProcess } from './processes';
import { testRegistryYaml } from './registry-yaml';

export interface BerthTls {
  /** https://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, the host part of image references. */
  addr: string;
  caFile: string;
  /** Its config.yml (the data folder beside it, in berth-data/). */
  config: string;
  /** A directory with only ca.crt in it. */
  certDir: string;
  proc: ManagedProcess;
  /** A request verified against ca.crt, with Basic credentials when given. */
  get(path: string, opts?: { user?: string; password?: string; headers?: Record<string, string> }): Promise<HttpsResponse>;
}

export interface HttpsResponse { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

export async function startBerthTls(users: Array<{ user: string; password: string }>): Promise<BerthTls> {
  const work = await tempDir('berth-tls-');
  const addr = `127.0.0.1:${await freePort()}`;
  const config = join(work, 'config.yml');
  const certs = join(work, 'certs');
  await mkdir(join(work, 'auth'));
  await writeFile(config, testRegistryYaml(work, {
    addr,
    logLevel: 'warn',
    accessLog: true,
    http: [
      '  tls:',
      `    certificate: ${join(certs, 'server.crt')}`,
      `    key: ${join(certs, 'server.key')}`,
    ],
    extra: [
      'auth:',
      '  htpasswd:',
      '    realm: Berth test',
      `    path: ${join(work, 'auth', 'htpasswd')}`,
    ],
  }));
  await writeFile(join(work, 'auth', 'htpasswd'), '');
  // Its own data folder, so the maintenance socket lives in the test's folder, not in $HOME.
  const env = { ...process.env, BERTH_DATA_DIR: join(work, 'berth-data') };
  const berth = (args: string[], input?: string) =>
    runCommand(process.execPath, [join(repoRoot, 'bin', 'berth.cjs'), ...args, '--config', config], { cwd: repoRoot, env, ...(input !== undefined ? { input } : {}) });
  for (const u of users) await berth(['users', 'add', u.user], `${u.password}\n`);
  await berth(['certs', 'init', '--name', '127.0.0.1', '--name', 'localhost']);

  const caFile = join(certs, 'ca.crt');
  const certDir = join(work, 'client-certs');
  await mkdir(certDir);
  await copyFile(caFile, join(certDir, 'ca.crt'));
  const ca = await readFile(caFile);

  const proc = spawnProcess(`berth tls ${addr}`, process.execPath, [join(repoRoot, 'bin', 'berth.cjs'), 'serve', '--config', config], { cwd: repoRoot, env });
  const url = `https://${addr}`;
  const get: BerthTls['get'] = (path, opts = {}) => httpsGet(`${url}${path}`, ca, opts);
  const deadline = Date.now() + 30_000;
  for (let last = 'no attempt yet'; ; await sleep(200)) {
    if (proc.exitStatus()) throw new Error(`berth exited during startup:\n${outputTail(proc)}`);
    if (Date.now() > deadline) throw new Error(`berth did not answer on ${url}/v2/ (last: ${last}):\n${outputTail(proc)}`);
    const r = await get('/v2/').catch((err: Error) => err);
    if (!(r instanceof Error) && r.status === 401) break;
    last = r instanceof Error ? r.message : `HTTP ${r.status}`;
  }
  return { url, addr, caFile, config, certDir, proc, get };
}

function httpsGet(url: string, ca: Buffer, opts: { user?: string; password?: string; headers?: Record<string, string> }): Promise<HttpsResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password ?? ''}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: GET ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
