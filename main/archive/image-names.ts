// Names found in archives, turned into this registry's repository and tag. Archives name images
// the way the tool that wrote them does: `alpine:3.20` (docker save's RepoTags),
// `docker.io/library/alpine:3.20` (containerd, Docker 25), `name:tag` or just `tag` (the OCI
// layout's ref.name). The registry part is dropped (the image is now here), and Docker Hub's
// `library/` prefix with it, so `docker save alpine` imports as `alpine`, as `docker push` would
// name it.
import { ImportError } from './import-error';
import { isValidName, TAG_RE } from '../registry/reference';

export interface ImageName {
  repository: string;
  tag?: string;
  /** For `name@digest`: the name of untagged content (Berth's exports name referrers so). */
  digest?: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `[registry/]name[:tag][@digest]`; throws ImportError naming the text when it is not one. */
export function parseImageName(text: string, where: string): ImageName {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new ImportError(`${where}: ${JSON.stringify(text)} has an invalid tag`);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  // Docker's rule: a first component with a dot or a port, or `localhost`, is a registry.
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    parts.shift();
    if (DOCKER_HUB.has(first) && parts[0] === 'library' && parts.length === 2) parts.shift();
  }
  const repository = parts.join('/');
  if (!isValidName(repository)) throw new ImportError(`${where}: ${JSON.stringify(text)} is not a valid image name`);
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `--as NAME[:TAG]`. */
export function parseAsOption(text: string): { repository: string; tag?: string } {
  const n = parseImageName(text, '--as');
  if (n.digest) throw new ImportError(`--as takes NAME[:TAG], not a digest (${JSON.stringify(text)})`);
  return n;
}

/** A bare OCI ref.name that is only a tag (`latest`), as Docker 25 and containerd write it. */
export function isBareTag(text: string): boolean {
  return !text.includes('/') && !text.includes(':') && !text.includes('@') && TAG_RE.test(text);
}
