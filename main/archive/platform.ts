// Which platform of a multi-platform image `docker load` gets: manifest.json holds one image per
// reference, so an export picks one (by default this machine's, which is where `docker load`
// usually runs), while index.json keeps them all.
import { ExportError } from './export-error';

export interface Platform { os: string; architecture: string; variant?: string }

const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** Docker's platform of this machine (Linux containers, even on macOS and Windows). */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: NODE_ARCH[process.arch] ?? process.arch };
}

/** `os/arch[/variant]`, as `docker --platform` takes it. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, more] = text.split('/');
  if (!os || !architecture || more !== undefined || variant === '') throw new ExportError(`--platform: ${JSON.stringify(text)} is not os/arch[/variant] (e.g. linux/amd64)`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** Whether an index entry's platform is the one asked for; no variant asked means any. */
export function matchesPlatform(p: { os?: string; architecture?: string; variant?: string }, want: Platform): boolean {
  if (p.os !== want.os || p.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  // arm64's only variant is v8, which many indexes leave out.
  return (p.variant ?? (p.architecture === 'arm64' ? 'v8' : undefined)) === want.variant;
}
