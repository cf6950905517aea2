// A private containerd per test file (Debian's containerd 1.6; needs root): its own
// config (version 2) with root, state, gRPC and ttrpc sockets in a temp dir and the CRI plugin
// disabled, so it never touches the machine's containerd (or dockerd's). Content is isolated per
// namespace (content_sharing_policy = "isolated"), so a pull into a fresh namespace really
// downloads every blob instead of adopting one another namespace already has. `ctr` talks to it
// by --address; registry hosts come from a --hosts-dir the test fills with Berth's own files.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from './cleanup';
import { writeBusyboxRootfsTar } from './images';
import { MT, sha256 } from './oci';
import {
  describeExit,
  outputTail,
  requireExecutable,
  requireRoot,
  runCommand,
  sleep,
  spawnProcess,
  type CommandOptions,
  type CommandResult,
  type ManagedProcess,
} from './processes';
import { tarArchive } from './tar';

export interface Containerd {
  /** The gRPC socket (`ctr --address`). */
  address: string;
  dir: string;
  proc: ManagedProcess;
  /** `containerd --version` and the server version `ctr version` reports, for the test output. */
  version: string;
  /** Runs `ctr --address … --namespace ns …`; throws on a non-zero exit unless check: false. */
  ctr(namespace: string, args: string[], opts?: CommandOptions): Promise<CommandResult>;
  stop(): Promise<void>;
}

export async function startContainerd(opts: { readyTimeoutMs?: number } = {}): Promise<Containerd> {
  requireRoot('containerd needs root');
  const containerdBin = requireExecutable('containerd', 'containerd');
  const ctrBin = requireExecutable('ctr', 'containerd');
  // Short names: unix socket paths are limited to 108 bytes.
  const dir = await tempDir('berth-ctd-');
  const address = join(dir, 'c.sock');
  const config = join(dir, 'config.toml');
  await writeFile(config, [
    'version = 2',
    `root = ${JSON.stringify(join(dir, 'root'))}`,
    `state = ${JSON.stringify(join(dir, 'state'))}`,
    // No CRI: it would want CNI, a sandbox image and the machine's registry settings.
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = ${JSON.stringify(address)}`,
    '[ttrpc]',
    `  address = ${JSON.stringify(`${address}.ttrpc`)}`,
    '[plugins."io.containerd.metadata.v1.bolt"]',
    '  content_sharing_policy = "isolated"',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${JSON.stringify(join(dir, 'opt'))}`,
    '',
  ].join('\n'));

  const proc = spawnProcess(`containerd ${dir}`, containerdBin, ['--config', config, '--log-level', 'warn']);
  const ctr = (namespace: string, args: string[], o: CommandOptions = {}) =>
    runCommand(ctrBin, ['--address', address, '--namespace', namespace, ...args], o);

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  let version: CommandResult | undefined;
  for (;;) {
    const exit = proc.exitStatus();
    if (exit) throw new Error(`containerd ${describeExit(exit)} during startup; output:\n${outputTail(proc)}`);
    version = await ctr('default', ['version'], { check: false, timeoutMs: 10_000 }).catch(() => undefined);
    if (version?.code === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`containerd did not answer \`ctr version\` within ${opts.readyTimeoutMs ?? 30_000} ms; output:\n${outputTail(proc)}`);
    }
    await sleep(200);
  }
  const binary = (await runCommand(containerdBin, ['--version'])).stdout.trim();
  const server = /Server:\s*\n\s*Version:\s*(\S+)/.exec(version.stdout)?.[1] ?? 'unknown';
  return {
    address, dir, proc, ctr,
    version: `${binary} (ctr server version ${server})`,
    async stop() {
      await proc.stop(20_000);
    },
  };
}

/** Go's name for this machine's architecture, as image configs and `--platform` spell it. */
export function hostArchitecture(): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const arch = names[process.arch];
  if (!arch) throw new Error(`no Go architecture name for ${process.arch}`);
  return arch;
}

export interface ImportedImage {
  ref: string;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

/**
 * Imports a one-layer busybox image (gzip OCI layer, this machine's platform) into `namespace`
 * as `ref`, from an OCI archive written here, so it can be pushed with `ctr images push`. Not
 * unpacked: pushing needs only the content.
 */
export async function importBusyboxIntoContainerd(c: Containerd, namespace: string, ref: string): Promise<ImportedImage> {
  const dir = await tempDir('berth-oci-');
  const rootfs = join(dir, 'rootfs.tar');
  await writeBusyboxRootfsTar(rootfs);
  const tar = await readFile(rootfs);
  const layer = gzipSync(tar);
  const config = Buffer.from(JSON.stringify({
    architecture: hostArchitecture(),
    os: 'linux',
    config: { Cmd: ['/bin/busybox', 'sh'] },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: { mediaType: MT.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MT.ociLayer, digest: sha256(layer), size: layer.length }],
  }));
  const blob = (data: Buffer) => ({ name: `blobs/sha256/${sha256(data).slice(7)}`, data });
  const archive = join(dir, 'image.oci.tar');
  await mkdir(dir, { recursive: true });
  await writeFile(archive, tarArchive([
    { name: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { name: 'index.json', data: Buffer.from(JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        mediaType: MT.ociManifest, digest: sha256(manifest), size: manifest.length,
        // ctr import names the image after this annotation.
        annotations: { 'io.containerd.image.name': ref },
      }],
    })) },
    { name: 'blobs/' },
    { name: 'blobs/sha256/' },
    blob(layer),
    blob(config),
    blob(manifest),
  ]));
  await c.ctr(namespace, ['images', 'import', '--all-platforms', '--no-unpack', archive]);
  const names = (await c.ctr(namespace, ['images', 'ls', '--quiet'])).stdout.split('\n');
  if (!names.includes(ref)) throw new Error(`ctr images import did not create ${ref}; images: ${names.join(', ')}`);
  return { ref, manifestDigest: sha256(manifest), configDigest: sha256(config), layerDigest: sha256(layer) };
}

/** The target digest `ctr images ls` shows for `ref` in `namespace` (undefined when absent). */
export async function imageDigest(c: Containerd, namespace: string, ref: string): Promise<string | undefined> {
  const out = (await c.ctr(namespace, ['images', 'ls'])).stdout;
  for (const line of out.split('\n')) {
    const [name, , digest] = line.split(/\s+/);
    if (name === ref) return digest;
  }
  return undefined;
}

/** Every digest in the namespace's content store. */
export async function contentDigests(c: Containerd, namespace: string): Promise<Set<string>> {
  const out = (await c.ctr(namespace, ['content', 'ls', '--quiet'])).stdout;
  return new Set(out.split('\n').map((l) => l.trim()).filter(Boolean));
}
