// daemon.json's two keys have opposite rules (moby daemon/pkg/registry/config.go):
// insecure-registries entries are host:port WITHOUT a scheme, registry-mirrors entries are URLs
// WITH one. The grammar itself is the backend's (preload/contract/registry-hosts.ts); this only
// words it for the form, so the page never accepts what the control API would refuse.
import { insecureRegistryProblem, mirrorUrlProblem } from '../../../../preload/contract/registry-hosts';

const sentence = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}.`;

export function checkInsecureEntry(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter the registry’s host:port, e.g. 192.168.1.20:5000.';
  if (v.includes('://')) return 'Leave out the scheme: insecure-registries takes host:port, e.g. 192.168.1.20:5000.';
  const problem = insecureRegistryProblem(v);
  return problem ? sentence(`${problem} — e.g. myhost:5000 or [fd00::1]:5000`) : undefined;
}

export function checkMirrorUrl(value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Enter the mirror URL, e.g. http://192.168.1.20:5000.';
  if (!/^https?:\/\//i.test(v)) return 'registry-mirrors needs the scheme: start with http:// or https://.';
  const problem = mirrorUrlProblem(v);
  return problem ? sentence(problem) : undefined;
}
