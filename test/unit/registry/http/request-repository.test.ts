// The repository the access log names: what the dispatcher noted for this request, valid names
// only, and nothing for a request it noted nothing for.
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { test } from 'node:test';
import { noteRepository, repositoryOf } from '../../../../main/registry/http/request-repository';

test('noted per request, valid names only, the last note wins', () => {
  const a = new IncomingMessage(new Socket());
  const b = new IncomingMessage(new Socket());
  assert.equal(repositoryOf(a), undefined);
  noteRepository(a, 'team/app');
  noteRepository(b, '../etc/passwd');
  assert.equal(repositoryOf(a), 'team/app');
  assert.equal(repositoryOf(b), undefined, 'an invalid name is not logged as a repository');
  noteRepository(a, 'mirror.example/team/app');
  assert.equal(repositoryOf(a), 'mirror.example/team/app');
});
