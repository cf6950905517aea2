// The maintenance channel's request check: each command takes only its own fields, of their
// types, and the message names the offending field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAdminRequest } from '../../../main/runtime/admin-protocol';

test('warm-sync takes now (true or false) and an image name:tag, nothing else', () => {
  assert.deepEqual(parseAdminRequest('warm-sync', {}), {});
  assert.deepEqual(parseAdminRequest('warm-sync', { now: true, image: 'library/alpine:3.20' }), { now: true, image: 'library/alpine:3.20' });
  assert.throws(() => parseAdminRequest('warm-sync', { now: 'yes' }), /now must be true or false/);
  assert.throws(() => parseAdminRequest('warm-sync', { image: 7 }), /image must be a name:tag/);
  assert.throws(() => parseAdminRequest('warm-sync', { image: '' }), /image must be a name:tag/);
  assert.throws(() => parseAdminRequest('warm-sync', { repair: true }), /warm-sync takes no "repair"/);
  assert.throws(() => parseAdminRequest('fsck', { image: 'a:1' }), /fsck takes no "image"/);
});
