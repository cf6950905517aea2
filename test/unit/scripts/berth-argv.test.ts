// The launchers' argv: node with the flags of bin/berth.cjs's first line (the one place they are
// written), then the command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

const { berthArgv, shebangNodeFlags, BIN } = createRequire(import.meta.url)('../../../scripts/berth-argv.cjs') as {
  berthArgv(args: string[]): string[];
  shebangNodeFlags(file?: string): string[];
  BIN: string;
};

async function withFirstLine(line: string, fn: (file: string) => void): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-argv-'));
  try {
    const file = path.join(dir, 'bin.cjs');
    await writeFile(file, `${line}\n'use strict';\n`);
    fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the argv is node, the first line\'s flags, bin/berth.cjs, then the arguments', () => {
  const flags = shebangNodeFlags();
  assert.ok(flags.length > 0, 'bin/berth.cjs names node flags on its first line');
  assert.deepEqual(berthArgv(['serve', '--config', 'x.yml']), [process.execPath, ...flags, BIN, 'serve', '--config', 'x.yml']);
});

test('node accepts every flag of the first line (a wrong one would stop `berth` from starting)', () => {
  const r = spawnSync(process.execPath, [...shebangNodeFlags(), '-e', ''], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('first lines: with and without -S, with no flags, and one that is not node', async () => {
  await withFirstLine('#!/usr/bin/env -S node --a=1 --b-c', (f) => assert.deepEqual(shebangNodeFlags(f), ['--a=1', '--b-c']));
  await withFirstLine('#!/usr/bin/env node', (f) => assert.deepEqual(shebangNodeFlags(f), []));
  await withFirstLine('#!/bin/sh', (f) => assert.throws(() => shebangNodeFlags(f), /first line is not/));
  // Only flags: anything else after node (a script, an -e) would run instead of the command.
  await withFirstLine('#!/usr/bin/env -S node --a -e 1', (f) => assert.throws(() => shebangNodeFlags(f), /first line is not/));
});
