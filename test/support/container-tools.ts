// skopeo, podman and buildah, isolated from the machine's containers configuration: their own
// signature policy, registries.conf, auth file, and (podman, buildah) image store on vfs in a
// temp dir, so the tests never read or write /var/lib/containers or a user's logins.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deferCleanup, tempDir, unmountUnder } from './cleanup';
import { requireExecutable, requireRoot, runCommand, type CommandOptions, type CommandResult } from './processes';

type Run = (args: string[], opts?: CommandOptions) => Promise<CommandResult>;

async function isolatedContainersEnv(dir: string): Promise<{ env: NodeJS.ProcessEnv; policy: string }> {
  const policy = join(dir, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  // No unqualified-search registries: a short name must never resolve to the internet.
  const registriesConf = join(dir, 'registries.conf');
  await writeFile(registriesConf, 'unqualified-search-registries = []\n');
  const authFile = join(dir, 'auth.json');
  await writeFile(authFile, '{"auths":{}}');
  const env = {
    ...process.env,
    REGISTRY_AUTH_FILE: authFile,
    CONTAINERS_REGISTRIES_CONF: registriesConf,
    XDG_RUNTIME_DIR: join(dir, 'xdg'),
  };
  await mkdir(env.XDG_RUNTIME_DIR, { recursive: true });
  return { env, policy };
}

/** A vfs image store under dir, for podman and buildah: no overlay mounts, any filesystem. */
async function writeStorageConf(dir: string): Promise<string> {
  const storageConf = join(dir, 'storage.conf');
  await writeFile(storageConf, `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/root"\n`);
  return storageConf;
}

function storeArgs(dir: string): string[] {
  return ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs'];
}

/** skopeo with its own policy and auth file; `skopeo(['copy', …])`. */
export async function prepareSkopeo(): Promise<Run> {
  const bin = requireExecutable('skopeo', 'skopeo');
  const dir = await tempDir('berth-sko-');
  const { env, policy } = await isolatedContainersEnv(dir);
  return (args, opts = {}) => runCommand(bin, ['--policy', policy, ...args], { timeoutMs: 180_000, ...opts, env: { ...env, ...opts.env } });
}

/**
 * podman as root with a private store (--root/--runroot on vfs) and private tmp/runtime dirs.
 * Containers run with --network none, so no CNI/netavark network is configured.
 */
export async function preparePodman(): Promise<Run> {
  requireRoot('podman with a private --root store needs root');
  const bin = requireExecutable('podman', 'podman');
  const dir = await tempDir('berth-pm-');
  const { env, policy } = await isolatedContainersEnv(dir);
  env.CONTAINERS_STORAGE_CONF = await writeStorageConf(dir);
  const global = [
    ...storeArgs(dir),
    '--tmpdir', join(dir, 'tmp'), '--cgroup-manager', 'cgroupfs', '--events-backend', 'none',
    '--volumepath', join(dir, 'volumes'),
  ];
  const podman: Run = (args, opts = {}) => {
    // push/pull take --signature-policy; other subcommands reject it.
    const policyArgs = args[0] === 'push' || args[0] === 'pull' ? ['--signature-policy', policy] : [];
    return runCommand(bin, [...global, args[0]!, ...policyArgs, ...args.slice(1)], { timeoutMs: 180_000, ...opts, env: { ...env, ...opts.env } });
  };
  // Unmount container filesystems podman may still hold before the temp dir is removed.
  deferCleanup(`podman store in ${dir}`, async () => {
    await podman(['rm', '--all', '--force'], { check: false, timeoutMs: 60_000 });
    await unmountUnder(dir);
  });
  return podman;
}

// buildah takes --signature-policy only on the subcommands that read or write images.
const BUILDAH_POLICY_COMMANDS = new Set(['from', 'bud', 'build', 'commit', 'push', 'pull', 'add', 'copy', 'manifest push']);

/**
 * buildah as root with a private vfs store. RUN steps use chroot isolation: buildah's default
 * (oci) isolation would give each RUN a CNI bridge network, which tests must not create.
 */
export async function prepareBuildah(): Promise<Run> {
  requireRoot('buildah with a private --root store needs root');
  const bin = requireExecutable('buildah', 'buildah');
  const dir = await tempDir('berth-ba-');
  const { env, policy } = await isolatedContainersEnv(dir);
  env.CONTAINERS_STORAGE_CONF = await writeStorageConf(dir);
  env.BUILDAH_ISOLATION = 'chroot';
  env.TMPDIR = join(dir, 'tmp');
  await mkdir(env.TMPDIR, { recursive: true });
  const buildah: Run = (args, opts = {}) => {
    const command = args[0] === 'manifest' ? args.slice(0, 2) : args.slice(0, 1);
    const policyArgs = BUILDAH_POLICY_COMMANDS.has(command.join(' ')) ? ['--signature-policy', policy] : [];
    return runCommand(bin, [...storeArgs(dir), ...command, ...policyArgs, ...args.slice(command.length)], { timeoutMs: 180_000, ...opts, env: { ...env, ...opts.env } });
  };
  // RUN under chroot isolation bind-mounts /dev, /proc… into the container; a build killed
  // midway can leave them behind, and the temp dir must not be removed through them.
  deferCleanup(`buildah store in ${dir}`, async () => {
    await buildah(['rm', '--all'], { check: false, timeoutMs: 60_000 });
    await unmountUnder(dir);
  });
  return buildah;
}
