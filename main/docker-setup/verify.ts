// "I added it but docker info shows nothing" (distribution#3924): the wizard does not trust its
// own write; it asks the daemon. `docker info --format '{{json .RegistryConfig}}'` shows what
// the running dockerd actually uses after a reload or restart. That is the verifier the wizard
// uses unless it is given another (WizardOptions.verifier).
import { sameMirror } from './daemon-json';
import { dockerEnv, type ResolvedEnv } from './env';

export interface RegistryConfig {
  IndexConfigs?: Record<string, { Name?: string; Secure?: boolean; Mirrors?: string[] | null }> | null;
  InsecureRegistryCIDRs?: string[] | null;
  Mirrors?: string[] | null;
}

export type InfoResult = { ok: true; config: RegistryConfig } | { ok: false; error: string };

export async function registryConfig(e: ResolvedEnv): Promise<InfoResult> {
  const r = await e.run('docker', ['info', '--format', '{{json .RegistryConfig}}'], { env: dockerEnv(e, e.dockerHost), timeoutMs: 15_000 });
  if (r.code !== 0) return { ok: false, error: (r.error ?? r.stderr.trim()) || `docker info exited with ${r.code}` };
  try {
    return { ok: true, config: JSON.parse(r.stdout) as RegistryConfig };
  } catch {
    return { ok: false, error: `docker info printed no RegistryConfig: ${r.stdout.slice(0, 200)}` };
  }
}

/** Asks the daemon whether it runs with a change. */
export interface DaemonVerifier {
  /** Waits until the daemon shows `x` or `timeoutMs` has passed; `detail` says what is still wrong. */
  shows(x: Expectation, timeoutMs: number): Promise<{ ok: boolean; detail: string }>;
  /** Waits until the daemon answers at all (after a rollback's reload or restart). */
  answers(timeoutMs: number): Promise<boolean>;
}

export function dockerInfoVerifier(e: ResolvedEnv): DaemonVerifier {
  return { shows: (x, timeoutMs) => waitForRegistryConfig(e, x, timeoutMs), answers: (timeoutMs) => waitForDaemon(e, timeoutMs) };
}

export interface Expectation {
  insecureRegistry?: string;
  mirror?: string;
  /** true: the entries must be gone (a removal). */
  absent: boolean;
}

/** What is still wrong with the daemon's view, or [] when it matches the expectation. */
export function mismatches(c: RegistryConfig, x: Expectation): string[] {
  const out: string[] = [];
  if (x.insecureRegistry !== undefined) {
    const active = insecureActive(c, x.insecureRegistry);
    if (active === x.absent) out.push(`docker info ${x.absent ? 'still lists' : 'does not list'} ${x.insecureRegistry} as an insecure registry`);
  }
  if (x.mirror !== undefined) {
    const active = (c.Mirrors ?? []).some((m) => sameMirror(m, x.mirror!));
    if (active === x.absent) out.push(`docker info ${x.absent ? 'still lists' : 'does not list'} the mirror ${x.mirror}`);
  }
  return out;
}

function insecureActive(c: RegistryConfig, entry: string): boolean {
  if (entry.includes('/')) return (c.InsecureRegistryCIDRs ?? []).includes(entry); // a CIDR entry
  const index = Object.entries(c.IndexConfigs ?? {}).find(([k]) => k.toLowerCase() === entry.toLowerCase());
  return index !== undefined && index[1].Secure === false;
}

/** Polls `docker info` until the expectation holds or the time is up (a reload is asynchronous). */
async function waitForRegistryConfig(e: ResolvedEnv, x: Expectation, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const deadline = Date.now() + timeoutMs;
  let detail = 'docker info was not asked';
  for (;;) {
    const info = await registryConfig(e);
    if (info.ok) {
      const wrong = mismatches(info.config, x);
      if (wrong.length === 0) return { ok: true, detail: 'docker info shows the change' };
      detail = wrong.join('; ');
    } else {
      detail = `Docker does not answer: ${info.error}`;
    }
    if (Date.now() >= deadline) return { ok: false, detail };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until the daemon answers at all (after a restart). */
async function waitForDaemon(e: ResolvedEnv, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await registryConfig(e)).ok) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
}
