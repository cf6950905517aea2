// Validation before a write: our own registry-key rules always, and `dockerd --validate` when
// this machine has a dockerd that knows the flag (Docker 23+). A valid-JSON-but-invalid option
// is what stops engines from starting (docker/for-mac#1081), so the daemon's own check is worth it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonJson, validateRegistryKeys } from './daemon-json';
import type { ResolvedEnv } from './env';

export interface Validation {
  ok: boolean;
  errors: string[];
  warnings: string[];
  /** What checked the file, for the result message. */
  by: string;
}

export async function validateDaemonJson(text: string, e: ResolvedEnv): Promise<Validation> {
  let rules: { errors: string[]; warnings: string[] };
  try {
    rules = validateRegistryKeys(parseDaemonJson(text));
  } catch (err) {
    return { ok: false, errors: [(err as Error).message], warnings: [], by: 'Berth' };
  }
  if (rules.errors.length > 0) return { ok: false, ...rules, by: 'Berth' };
  // Docker Desktop's engine lives in a VM: a dockerd on the host (if any) is not the one that reads the file.
  if (e.platform !== 'linux') return { ok: true, ...rules, by: 'Berth' };

  const dir = await mkdtemp(join(tmpdir(), 'berth-validate-'));
  try {
    const file = join(dir, 'daemon.json');
    await writeFile(file, text);
    const r = await e.run('dockerd', ['--validate', '--config-file', file], { timeoutMs: 30_000 });
    const out = `${r.stdout}\n${r.stderr}`.trim();
    if (r.code === null) return { ok: true, ...rules, by: 'Berth (dockerd is not installed here)' };
    if (/unknown flag: --validate/.test(out)) return { ok: true, ...rules, by: 'Berth (this dockerd is older than 23.0 and has no --validate)' };
    if (r.code !== 0) return { ok: false, errors: [`dockerd --validate rejected the new file: ${out.replace(/\s+/g, ' ').slice(0, 600)}`], warnings: rules.warnings, by: 'dockerd --validate' };
    return { ok: true, ...rules, by: 'Berth and dockerd --validate' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
