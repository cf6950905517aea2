// Names as archives write them, turned into this registry's repository and tag.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isBareTag, parseAsOption, parseImageName } from '../../../main/archive/image-names';

describe('image names from archives', () => {
  it("drops the registry, and Docker Hub's library/ with it, as docker push would name the image", () => {
    assert.deepEqual(parseImageName('alpine:3.20', 'x'), { repository: 'alpine', tag: '3.20' });
    assert.deepEqual(parseImageName('docker.io/library/alpine:3.20', 'x'), { repository: 'alpine', tag: '3.20' });
    assert.deepEqual(parseImageName('docker.io/bitnami/redis:7', 'x'), { repository: 'bitnami/redis', tag: '7' });
    assert.deepEqual(parseImageName('localhost:5000/team/app:v1', 'x'), { repository: 'team/app', tag: 'v1' });
    assert.deepEqual(parseImageName('ghcr.io/library/x', 'x'), { repository: 'library/x' });
    assert.deepEqual(parseImageName('team/app@sha256:' + 'a'.repeat(64), 'x'), { repository: 'team/app', digest: 'sha256:' + 'a'.repeat(64) });
  });

  it('refuses what is not a name, saying where it was found', () => {
    assert.throws(() => parseImageName('Team/App:1', 'manifest.json[0]'), /^ImportError: manifest\.json\[0\]: "Team\/App:1" is not a valid image name$/);
    assert.throws(() => parseImageName('app:bad tag', 'x'), /has an invalid tag/);
    assert.throws(() => parseAsOption('app@sha256:' + 'a'.repeat(64)), /--as takes NAME\[:TAG\], not a digest/);
  });

  it('tells a bare tag (Docker 25 and containerd ref.name) from a full name (Berth, skopeo)', () => {
    assert.equal(isBareTag('latest'), true);
    assert.equal(isBareTag('team/app:1'), false);
    assert.equal(isBareTag('app:1'), false);
  });
});
