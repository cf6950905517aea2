// The htpasswd format as Apache's `htpasswd -B` writes it and distribution reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { hashPassword, isBcrypt, parseHtpasswd, serializeHtpasswd, verifyPassword } from '../../../main/users/htpasswd';

describe('parseHtpasswd / serializeHtpasswd', () => {
  it('skips comments and blank lines, keeps entries in order, reports non-bcrypt lines', async () => {
    const a = await hashPassword('alpha-pw', 4);
    const text = [
      '# users for the registry',
      '',
      `alice:${a}`,
      '   ',
      '  # indented comment',
      'bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
      'garbage-without-colon',
      `carol:${a}\r`,
      '',
    ].join('\n');
    const parsed = parseHtpasswd(text);
    assert.deepEqual(parsed.entries.map((e) => e.user), ['alice', 'bob', 'carol']);
    assert.equal(parsed.entries[2]!.hash, a, 'a CRLF line ending is not part of the hash');
    assert.equal(parsed.warnings.length, 2);
    assert.match(parsed.warnings[0]!, /line 6: .*"bob".*non-bcrypt/);
    assert.match(parsed.warnings[1]!, /line 7: not a user:hash entry/);
  });

  it('round-trips: serialize(parse(x)) keeps every entry, non-bcrypt ones too', async () => {
    const h = await hashPassword('pw', 4);
    const entries = [{ user: 'a', hash: h }, { user: 'b', hash: '$apr1$xyz$abc' }];
    const text = serializeHtpasswd(entries);
    assert.equal(text, `a:${h}\nb:$apr1$xyz$abc\n`);
    assert.deepEqual(parseHtpasswd(text).entries, entries);
  });

  it('an empty file has no users and no warnings', () => {
    assert.deepEqual(parseHtpasswd(''), { entries: [], warnings: [] });
  });
});

describe('bcrypt variants', () => {
  it('accepts $2y$, $2a$ and $2b$ hashes of the same password', async () => {
    const b = await bcrypt.hash('s3cret', 4); // bcryptjs writes $2b$
    assert.match(b, /^\$2b\$/);
    for (const prefix of ['$2y$', '$2a$', '$2b$']) {
      const hash = prefix + b.slice(4);
      assert.ok(isBcrypt(hash), prefix);
      assert.equal(await verifyPassword('s3cret', hash), true, `${prefix} right password`);
      assert.equal(await verifyPassword('wrong', hash), false, `${prefix} wrong password`);
    }
  });

  it('never matches non-bcrypt hashes (MD5/SHA/crypt as htpasswd without -B writes)', async () => {
    for (const hash of ['$apr1$abcdefgh$0123456789abcdefghijkl', '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', 'abJnggxhB/yWI', 'plaintext']) {
      assert.equal(isBcrypt(hash), false, hash);
      assert.equal(await verifyPassword('plaintext', hash), false, hash);
    }
  });

  it('hashPassword writes $2y$ at cost 10 by default, as Apache htpasswd -B does', async () => {
    const hash = await hashPassword('pw');
    assert.match(hash, /^\$2y\$10\$[./A-Za-z0-9]{53}$/);
    assert.equal(await verifyPassword('pw', hash), true);
  });
});
