// Where the maintenance channel lives: the same path for the server (its bound port) and the
// commands (the config), distinct per address and data folder, and a clear refusal when a unix
// socket path would not fit.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../main/config/load';
import { adminEndpoint, AdminChannelUnavailable, MAX_SOCKET_PATH_BYTES, serverIdentity } from '../../../main/runtime/admin-endpoint';
import { testRegistryYaml } from '../../support/registry-yaml';

const config = (addr: string) => {
  const yaml = testRegistryYaml('/srv/berth').replace(/addr: .*/, `addr: ${JSON.stringify(addr)}`);
  return parseConfig(yaml, { env: {}, source: 'test' }).config;
};

describe('the maintenance channel endpoint', () => {
  it('is found from the config: the server with its bound port and the CLI with the configured one agree', () => {
    assert.equal(serverIdentity(config('127.0.0.1:5000')), serverIdentity(config('127.0.0.1:0'), 5000));
    assert.equal(serverIdentity(config('127.0.0.1:5000')), 'tcp 127.0.0.1 5000');
    assert.equal(serverIdentity(config(':5000')), 'tcp  5000');
    assert.notEqual(serverIdentity(config(':5000')), serverIdentity(config('127.0.0.1:5000')));
  });

  it('cannot be found for a random port from the config alone', () => {
    assert.throws(() => serverIdentity(config('127.0.0.1:0')), (e: Error) => e instanceof AdminChannelUnavailable && /random port/.test(e.message));
  });

  it('is a socket in <data folder>/run, one per address', () => {
    const a = adminEndpoint('/home/u/.local/share/berth', 'tcp 127.0.0.1 5000', 'linux');
    const b = adminEndpoint('/home/u/.local/share/berth', 'tcp 127.0.0.1 5001', 'linux');
    assert.equal(a.dir, '/home/u/.local/share/berth/run');
    assert.match(a.path, /^\/home\/u\/\.local\/share\/berth\/run\/admin-[0-9a-f]{16}\.sock$/);
    assert.notEqual(a.path, b.path);
  });

  it('refuses a socket path over the 103-byte limit, naming the fix', () => {
    const longest = join('/', 'd'.repeat(MAX_SOCKET_PATH_BYTES - '/run/admin-0123456789abcdef.sock'.length - 1));
    assert.equal(Buffer.byteLength(adminEndpoint(longest, 'tcp  5000', 'linux').path), MAX_SOCKET_PATH_BYTES);
    assert.throws(() => adminEndpoint(`${longest}x`, 'tcp  5000', 'linux'), /104 bytes long, over the 103-byte limit of unix socket paths; set BERTH_DATA_DIR to a shorter folder/);
  });

  it('is a named pipe on Windows, distinct per data folder (pipes share one namespace)', () => {
    const a = adminEndpoint('C:\\Users\\ann\\AppData\\Roaming\\Berth', 'tcp 127.0.0.1 5000', 'win32');
    const b = adminEndpoint('C:\\Users\\bob\\AppData\\Roaming\\Berth', 'tcp 127.0.0.1 5000', 'win32');
    assert.match(a.path, /^\\\\\.\\pipe\\berth-admin-[0-9a-f]{16}$/);
    assert.equal(a.dir, undefined);
    assert.notEqual(a.path, b.path);
  });
});
