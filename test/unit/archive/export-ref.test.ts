// The references `berth export` takes, and the one-line errors for those it cannot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportError } from '../../../main/archive/export-error';
import { parseExportRef } from '../../../main/archive/export-ref';

const digest = `sha256:${'a'.repeat(64)}`;

test('name:tag, name@digest and a bare repository name', () => {
  assert.deepEqual(parseExportRef('team/app:v1.2'), { kind: 'tag', name: 'team/app', tag: 'v1.2' });
  assert.deepEqual(parseExportRef(`team/app@${digest}`), { kind: 'digest', name: 'team/app', digest: { algorithm: 'sha256', hex: 'a'.repeat(64), value: digest } });
  assert.deepEqual(parseExportRef('team/app'), { kind: 'repository', name: 'team/app' });
});

test('refuses what is not a reference, saying why in one line', () => {
  const cases: Array<[string, RegExp]> = [
    ['Team/App:v1', /"Team\/App" is not a repository name$/],
    ['localhost:5000/app:v1', /without a host\)$/],
    ['app:', /"" is not a valid tag$/],
    ['app:-x', /"-x" is not a valid tag$/],
    ['app@sha256:abc', /"sha256:abc" is not a digest/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseExportRef(text), (err: Error) => err instanceof ExportError && message.test(err.message) && !err.message.includes('\n'), text);
  }
});
