// Non-loopback addresses that belong to the test (needs root and iproute2): a network namespace joined to the
// root namespace by a veth pair, a hostname for it in /etc/hosts, and Docker's certs.d entry for
// it. Every change is undone by runCleanups(), in reverse order, even when a test fails.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deferCleanup } from './cleanup';
import { requireExecutable, requireRoot, runCommand } from './processes';

export interface TestNamespace {
  name: string;
  /** The address inside the namespace (where the server listens). */
  inside: string;
  /** The root namespace's end of the veth pair. */
  outside: string;
  /** argv prefix that runs a command inside the namespace. */
  exec: (command: string, args: string[]) => [string, string[]];
}

/** A namespace and veth pair named after this process, on a 10.231.X.0/24 no interface uses yet. */
export async function createTestNamespace(tag = `${process.pid}`): Promise<TestNamespace> {
  requireRoot('network namespaces need root');
  const ip = requireExecutable('ip', 'iproute2');
  const name = `berth-${tag}`;
  // Interface names are at most 15 bytes.
  const host = `bh${tag}`.slice(0, 15);
  const peer = `bn${tag}`.slice(0, 15);
  const used = (await runCommand(ip, ['-4', '-o', 'addr', 'show'])).stdout;
  let subnet = -1;
  for (let i = 0; i < 250; i++) {
    const x = (Number(tag.replace(/\D/g, '') || '0') + i) % 250 + 1;
    if (!used.includes(`10.231.${x}.`)) { subnet = x; break; }
  }
  if (subnet < 0) throw new Error('no free 10.231.X.0/24 subnet for the test namespace');
  const inside = `10.231.${subnet}.2`;
  const outside = `10.231.${subnet}.1`;

  // Registered first so it runs after everything started inside the namespace has stopped.
  deferCleanup(`delete netns ${name} and veth ${host}`, async () => {
    await runCommand(ip, ['link', 'del', host], { check: false });
    await runCommand(ip, ['netns', 'del', name], { check: false });
    const left = (await runCommand(ip, ['netns', 'list'])).stdout;
    if (left.split('\n').some((l) => l.split(' ')[0] === name)) throw new Error(`netns ${name} still exists`);
  });
  await runCommand(ip, ['netns', 'add', name]);
  await runCommand(ip, ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  await runCommand(ip, ['link', 'set', peer, 'netns', name]);
  await runCommand(ip, ['addr', 'add', `${outside}/24`, 'dev', host]);
  await runCommand(ip, ['link', 'set', host, 'up']);
  await runCommand(ip, ['netns', 'exec', name, 'ip', 'addr', 'add', `${inside}/24`, 'dev', peer]);
  await runCommand(ip, ['netns', 'exec', name, 'ip', 'link', 'set', peer, 'up']);
  await runCommand(ip, ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  return { name, inside, outside, exec: (command, args) => [ip, ['netns', 'exec', name, command, ...args]] };
}

/**
 * Maps `hostname` to `address` in /etc/hosts. Written in place (the file may be a bind mount);
 * the cleanup removes exactly the line added, which restores the original byte for byte.
 */
export async function addHostsEntry(hostname: string, address: string): Promise<void> {
  const file = '/etc/hosts';
  const original = await readFile(file, 'utf8');
  const line = `${address} ${hostname} # berth e2e ${process.pid}\n`;
  deferCleanup(`remove ${hostname} from ${file}`, async () => {
    const now = await readFile(file, 'utf8');
    if (now.includes(line)) await writeFile(file, now.replace(line, ''));
  });
  const sep = original === '' || original.endsWith('\n') ? '' : '\n';
  if (sep) throw new Error(`${file} does not end with a newline; refusing to edit it`);
  await writeFile(file, original + line);
}

/**
 * Installs `caPem` as /etc/docker/certs.d/<hostPort>/ca.crt, where dockerd (which has no option
 * for another directory) and skopeo look for registry CAs; removed afterwards, with certs.d
 * itself if the test created it.
 */
export async function installDockerCa(hostPort: string, caPem: string | Buffer): Promise<string> {
  const certsD = '/etc/docker/certs.d';
  const createdCertsD = !existsSync(certsD);
  const dir = join(certsD, hostPort);
  if (existsSync(dir)) throw new Error(`${dir} already exists; refusing to overwrite it`);
  deferCleanup(`remove ${dir}`, async () => {
    await rm(dir, { recursive: true, force: true });
    if (createdCertsD && existsSync(certsD) && readdirSync(certsD).length === 0) await rmdir(certsD);
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.crt'), caPem);
  return dir;
}
