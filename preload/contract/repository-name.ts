// The repository-name grammar of the distribution spec (github.com/distribution/reference):
// path components of lower-case letters and digits joined by `.`, `_`, `__` or dashes, separated
// by `/`, at most 255 characters. One copy for the registry (every request's name), the config
// (names listed in settings, such as berth.proxy.localnamespaces) and the renderer (which
// explains a bad entry before it is sent), so it is plain TypeScript with no imports.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
export const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** A tag: distribution's reference.TagRegexp. */
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** distribution's RepositoryNameTotalLengthMax. */
export const NAME_MAX = 255;

export function isValidName(name: string): boolean {
  return name.length <= NAME_MAX && NAME_RE.test(name);
}

/** Why `name` is not a repository name, as a sentence for a form; undefined when it is one. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter a repository name.';
  if (name.length > NAME_MAX) return `A repository name has at most ${NAME_MAX} characters.`;
  if (name !== name.toLowerCase()) return 'Repository names are lower case.';
  if (!NAME_RE.test(name)) return 'Use lower-case letters and digits, separated by ".", "_" or "-", with "/" between parts (e.g. team or ci/builds).';
  return undefined;
}
