// The one rule for user names and passwords: what it refuses and why (htpasswd's format, HTTP
// Basic, bcrypt's 72 bytes), checked against the real tools it is meant to stay compatible with,
// and applied the same by every face: the control API's argument check, the user service that
// `berth users` runs, and the renderer's form.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { PASSWORD_MAX_BYTES, passwordProblem, USER_NAME_MAX, userNameProblem } from '../../../../preload/contract/users';
import { parseArgs } from '../../../../main/control/schemas';
import { parseHtpasswd, serializeHtpasswd } from '../../../../main/users/htpasswd';
import { checkPasswords, checkUserName } from '../../../../renderer/src/features/users/validation';

const GOOD_NAMES = ['alice', 'Bob.Smith', 'ci_bot-2', 'me@example.com', 'x', 'a'.repeat(USER_NAME_MAX)];
const BAD_NAMES: Array<[string, RegExp]> = [
  ['', /Enter a user name/],
  ['a'.repeat(USER_NAME_MAX + 1), /at most 128 characters/],
  ['bad:name', /cannot contain ":"/],
  ['two words', /only \(no spaces\)/],
  [' alice', /only/],
  ['#comment', /only/],
  ['tab\there', /only/],
  ['zoë', /only/],
];
const GOOD_PASSWORDS = ['12345678', 'correct horse battery staple', 'pässwörd', 'x'.repeat(PASSWORD_MAX_BYTES), 'p:ss:word', ' spaced '];
const BAD_PASSWORDS: Array<[string, RegExp]> = [
  ['', /Enter a password/],
  ['1234567', /at least 8 characters/],
  ['😀😀😀😀😀😀😀', /at least 8 characters/], // seven code points, fourteen UTF-16 units
  ['x'.repeat(PASSWORD_MAX_BYTES + 1), /at most 72 bytes/],
  ['é'.repeat(37), /at most 72 bytes/], // 37 characters, 74 bytes
  ['line\nbreak-here', /control characters/],
  ['nul\u0000-in-the-middle', /control characters/],
];

describe('userNameProblem', () => {
  for (const name of GOOD_NAMES) it(`accepts ${JSON.stringify(name.slice(0, 20))}`, () => assert.equal(userNameProblem(name), undefined));
  for (const [name, why] of BAD_NAMES) {
    it(`refuses ${JSON.stringify(name.slice(0, 20))} with a sentence`, () => {
      const problem = userNameProblem(name);
      assert.match(problem ?? '', why);
      assert.match(problem!, /^[A-Z].*\.$/);
    });
  }

  it('every accepted name survives an htpasswd file and is one Apache htpasswd -B writes too', () => {
    for (const name of GOOD_NAMES) {
      const line = execFileSync('htpasswd', ['-Bbn', '-C', '4', name, 'password'], { encoding: 'utf8' }).trim();
      const [entry] = parseHtpasswd(`${line}\n`).entries;
      assert.equal(entry?.user, name);
      assert.deepEqual(parseHtpasswd(serializeHtpasswd([entry!])).entries, [entry]);
    }
  });
});

describe('passwordProblem', () => {
  for (const pw of GOOD_PASSWORDS) it(`accepts ${JSON.stringify(pw.slice(0, 20))}`, () => assert.equal(passwordProblem(pw), undefined));
  for (const [pw, why] of BAD_PASSWORDS) {
    it(`refuses ${JSON.stringify(pw.slice(0, 20))} with a sentence`, () => assert.match(passwordProblem(pw) ?? '', why));
  }

  it('72 bytes is where bcrypt stops reading: two passwords that differ only after it share a hash', async () => {
    const hash = await bcrypt.hash(`${'x'.repeat(PASSWORD_MAX_BYTES)}a`, 4);
    assert.equal(await bcrypt.compare(`${'x'.repeat(PASSWORD_MAX_BYTES)}b`, hash), true);
    assert.equal(await bcrypt.compare(`${'x'.repeat(PASSWORD_MAX_BYTES - 1)}b`, await bcrypt.hash(`${'x'.repeat(PASSWORD_MAX_BYTES - 1)}a`, 4)), false);
  });
});

describe('every face applies the same rule with the same sentence', () => {
  it('the control API (users.add, users.setPassword)', () => {
    for (const [name] of BAD_NAMES) {
      const r = parseArgs('users.add', { user: name, password: 'long-enough', role: 'read' });
      assert.ok(!r.ok && r.field === 'user', name);
      if (name.length <= 300) assert.equal(!r.ok && r.message, `user: ${userNameProblem(name)}`);
    }
    for (const [pw] of BAD_PASSWORDS) {
      const r = parseArgs('users.setPassword', { user: 'alice', password: pw });
      assert.equal(!r.ok && r.message, `password: ${passwordProblem(pw)}`);
    }
    for (const name of GOOD_NAMES) assert.ok(parseArgs('users.add', { user: name, password: GOOD_PASSWORDS[0], role: 'read' }).ok, name);
    for (const pw of GOOD_PASSWORDS) assert.ok(parseArgs('users.setPassword', { user: 'alice', password: pw }).ok, pw);
  });

  it('the renderer form (which also drops the spaces around a typed name)', () => {
    for (const [name] of BAD_NAMES.filter(([n]) => n.trim() === n)) assert.equal(checkUserName(name), userNameProblem(name));
    assert.equal(checkUserName(' alice '), undefined);
    for (const [pw] of BAD_PASSWORDS) assert.deepEqual(checkPasswords(pw, pw), { password: passwordProblem(pw) });
    assert.deepEqual(checkPasswords('long-enough', 'long-enougH'), { repeat: 'The two passwords differ.' });
    assert.deepEqual(checkPasswords('long-enough', 'long-enough'), {});
  });
});
