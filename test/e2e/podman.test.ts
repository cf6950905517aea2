// podman (containers/image, a different client stack from Docker's) pushing to and pulling
// from the registry under test, in both manifest formats it writes: Docker schema 2 and OCI.
// podman runs as root with a private vfs store, so the machine's /var/lib/containers is untouched.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { tempDir } from '../support/cleanup';
import { preparePodman } from '../support/container-tools';
import { writeBusyboxRootfsTar } from '../support/images';
import { useE2EHooks } from '../support/processes';
import { startTargetRegistry, type RegistryProcess } from '../support/registry-process';
import { fetchManifest } from '../support/registry-http';

useE2EHooks();

let podman: Awaited<ReturnType<typeof preparePodman>>;
let registry: RegistryProcess;

before(async () => {
  [podman, registry] = await Promise.all([preparePodman(), startTargetRegistry()]);
});

const formats = [
  { format: 'v2s2', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
  { format: 'oci', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
] as const;

test('podman push (v2s2 and OCI manifests) and pull back after rmi, then run', { timeout: 300_000 }, async () => {
  const dir = await tempDir('berth-pmt-');
  const tar = join(dir, 'rootfs.tar');
  await writeBusyboxRootfsTar(tar);
  await podman(['import', '--change', 'CMD ["/bin/busybox", "sh"]', tar, 'localhost/e2e-podman:latest']);

  const pushed = new Map<string, string>();
  for (const { format, mediaType } of formats) {
    const ref = `${registry.addr}/e2e/podman:${format}`;
    const digestFile = join(dir, `${format}.digest`);
    await podman(['push', '--tls-verify=false', '--format', format, '--digestfile', digestFile, 'localhost/e2e-podman:latest', ref]);
    const digest = (await readFile(digestFile, 'utf8')).trim();

    const served = await fetchManifest(registry.url, 'e2e/podman', format);
    assert.equal(served.digest, digest, `${format}: Docker-Content-Digest is what podman pushed`);
    assert.equal(served.bodyDigest, digest, `${format}: manifest bytes hash to the pushed digest`);
    assert.equal(served.contentType, mediaType, `${format}: Content-Type is the manifest's media type`);
    pushed.set(ref, digest);
  }

  for (const [ref, digest] of pushed) {
    // Both tags hold the same image (same config), so empty the store before each pull.
    await podman(['rmi', '--all', '--force']);
    assert.equal((await podman(['images', '--quiet'])).stdout.trim(), '', 'local store is empty before pulling');
    await podman(['pull', '--tls-verify=false', ref]);
    assert.equal((await podman(['image', 'inspect', '--format', '{{.Digest}}', ref])).stdout.trim(), digest);
    // podman sets RLIMIT_NOFILE/NPROC to 1048576 by default, which fails without CAP_SYS_RESOURCE in a
    // sandboxed CI machine ("error setting rlimit type 7"); ask for limits any root can set.
    const run = await podman(['run', '--rm', '--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', ref, '/bin/busybox', 'echo', 'ok']);
    assert.equal(run.stdout, 'ok\n');
  }
});
