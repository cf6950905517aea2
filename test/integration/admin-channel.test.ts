// The maintenance channel of a running registry (runtime/admin-channel.ts): a real unix socket,
// mode 0600 in a 0700 directory, that another local user cannot open; a stale socket is replaced
// and a live one left alone; the socket goes away at stop; requests are checked. The debug
// listener no longer serves /debug/gc or /debug/fsck.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../main/config/load';
import { createLogger, silentLogger, type Logger } from '../../main/lib/logger';
import { askAdmin } from '../../main/runtime/admin-client';
import { adminEndpoint, serverIdentity } from '../../main/runtime/admin-endpoint';
import { createRuntime, type Runtime } from '../../main/runtime/runtime';
import { freePort } from '../support/processes';
import { testRegistryYaml } from '../support/registry-yaml';
import { tempDir } from '../support/cleanup';

const NOBODY = 65534;
const unixOnly = process.platform === 'win32' ? 'unix sockets and modes (Windows uses a named pipe)' : false;

/** Connects to `path` from a child node that first drops to uid/gid `uid`; prints the outcome. */
function connectAs(uid: number, path: string): string {
  const script = `process.setgid(${uid}); process.setuid(${uid});
    const s = require('node:net').connect(${JSON.stringify(path)});
    s.on('connect', () => { console.log('connected'); s.destroy(); });
    s.on('error', (e) => console.log(e.code));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('the maintenance channel', { skip: unixOnly }, () => {
  let root: string;
  let dataDir: string;
  let runtime: Runtime;
  let yaml: string;
  const start = async (log: Logger = silentLogger, dir = dataDir) => {
    const r = createRuntime({ config: parseConfig(yaml, { env: {}, source: 'test' }).config, log, admin: { dataDir: dir } });
    await r.start();
    return r;
  };

  before(async () => {
    root = await tempDir('berth-admin-');
    // tempDir (mkdtemp) makes a 0700 folder, which alone would keep other users out; open it up so the
    // test shows that the channel's own directory and socket modes do.
    await chmod(root, 0o755);
    dataDir = join(root, 'data-folder');
    yaml = testRegistryYaml(root, { port: await freePort(), http: ['  debug:', '    addr: 127.0.0.1:0'] }) + '\n';
    runtime = await start();
  });
  after(async () => {
    await runtime.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('is a socket with mode 0600 in a 0700 directory of the data folder', async () => {
    const path = runtime.adminPath!;
    assert.ok(path.startsWith(join(dataDir, 'run') + '/'), path);
    assert.equal(path, adminEndpoint(dataDir, serverIdentity(runtime.config)).path, 'the CLI computes the same path from the config');
    const sock = await stat(path);
    assert.ok(sock.isSocket());
    assert.equal(sock.mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'run'))).mode & 0o777, 0o700);
  });

  it('runs gc and fsck and checks requests', async () => {
    const path = runtime.adminPath!;
    const gc = await askAdmin(path, 'gc', { dryRun: true });
    assert.equal(gc?.dryRun, true);
    const fsck = await askAdmin(path, 'fsck', {});
    assert.equal(fsck?.errors, 0);
    await assert.rejects(askAdmin(path, 'gc', { gracePeriodMs: -1 }), /HTTP 400\): the grace period must not be negative \(got -1 ms\)/);
    await assert.rejects(askAdmin(path, 'gc', { dryRun: 'yes' } as never), /HTTP 400\): dryRun must be true or false/);
    await assert.rejects(askAdmin(path, 'nonsense' as never, {} as never), /HTTP 404\): no command "nonsense"/);
  });

  it('is not served on the debug listener any more: /debug/gc and /debug/fsck are 404', async () => {
    const dbg = runtime.registry!.debugAddress!;
    const base = `http://127.0.0.1:${dbg.port}`;
    for (const p of ['/debug/gc', '/debug/gc?untagged=true', '/debug/fsck?repair=true']) {
      const res = await fetch(base + p, { method: 'POST' });
      await res.arrayBuffer();
      assert.equal(res.status, 404, p);
    }
    assert.equal((await fetch(`${base}/debug/health`)).status, 200);
  });

  it('cannot be opened by another local user', { skip: process.getuid?.() !== 0 ? 'needs root to run a client as another uid' : false }, async () => {
    // Control: the same client does connect to a socket whose modes let it (so the check below
    // fails for the right reason, not because the child cannot connect at all).
    const open = join(root, 'open');
    await mkdir(open, { mode: 0o755 });
    const probe: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => probe.listen(join(open, 'probe.sock'), r));
    try {
      await chmod(join(open, 'probe.sock'), 0o666);
      assert.equal(connectAs(NOBODY, join(open, 'probe.sock')), 'connected');
    } finally {
      await new Promise((r) => probe.close(r));
    }
    assert.equal(connectAs(NOBODY, runtime.adminPath!), 'EACCES');
  });

  it('replaces a stale socket, leaves a live one alone, and is removed at stop', async () => {
    const path = runtime.adminPath!;
    await runtime.stop();
    assert.equal(existsSync(path), false, 'removed at stop');
    // A server killed with SIGKILL leaves its socket behind.
    const script = `const s = require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'));`;
    spawnSync(process.execPath, ['-e', script], { timeout: 20_000 });
    assert.ok((await stat(path)).isSocket(), 'stale socket left');
    runtime = await start();
    assert.equal(runtime.adminPath, path);
    assert.equal((await askAdmin(path, 'gc', { dryRun: true }))?.dryRun, true);
    await runtime.stop();

    // Something alive on the path: not removed; the registry serves without a channel.
    const squatter = createServer((s) => { s.on('error', () => undefined); s.end('not berth'); });
    await new Promise<void>((r) => squatter.listen(path, r));
    const lines: string[] = [];
    try {
      runtime = await start(createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) }));
      assert.equal(runtime.state.status, 'running');
      assert.equal(runtime.adminPath, undefined);
      assert.match(lines.join('\n'), /maintenance channel unavailable.*another process already answers on/);
      await runtime.stop();
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    runtime = await start();
  });

  it('is skipped with a clear warning when the data folder makes the socket path too long', async () => {
    const deep = join(root, 'x'.repeat(120));
    const lines: string[] = [];
    const other = createRuntime({
      config: parseConfig(testRegistryYaml(root, { port: 0 }), { env: {}, source: 'test' }).config,
      log: createLogger({ level: 'warn', format: 'json', write: (l) => lines.push(l) }), admin: { dataDir: deep },
    });
    await other.start();
    try {
      assert.equal(other.state.status, 'running');
      assert.equal(other.adminPath, undefined);
      assert.match(lines.join('\n'), /over the 103-byte limit of unix socket paths; set BERTH_DATA_DIR to a shorter folder/);
    } finally {
      await other.stop();
    }
  });
});
