// YAML text → plain value, plus a way back from a key path to its line and column and to the
// original text of a scalar. The YAML 1.1 rules are used because registry:3 reads its config
// with Go's yaml.v2 (a YAML 1.1 decoder): `enabled: yes` is true and `version: 0.1` a float.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors';

export type KeyPath = readonly (string | number)[];

export interface YamlSource {
  value: unknown;
  /** Position of the key (or list item) at `path`, or of its nearest ancestor that exists. */
  locate(path: KeyPath): { line: number; column: number } | undefined;
  /** The source text of a plain scalar at `path` that YAML did not read as a string (e.g. "0123"). */
  rawText(path: KeyPath): string | undefined;
  warnings: string[];
}

interface TagLike {
  tag: string;
  format?: string;
}

// yaml.v2 has neither base-60 numbers (`1:30` → 90) nor implicit timestamps; drop both so that
// an address like `10:20` or a date stays a string, as it does in registry:3.
const goLikeTags = <T extends TagLike>(tags: T[]): T[] =>
  tags.filter((t) => t.format !== 'TIME' && !t.tag.endsWith(':timestamp'));

export function parseYaml(text: string, source: string): YamlSource {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      customTags: goLikeTags as never,
      lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
    });
  } catch (e) {
    throw new ConfigError(source, { path: '', message: `cannot parse YAML: ${(e as Error).message}` });
  }
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((err) => ({
      path: '',
      message: `YAML syntax error: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      ...at(err.pos[0]),
    }));
    throw new ConfigError(source, problems);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });

  const walk = (path: KeyPath): { node: Node | null; keyOffset?: number; found: boolean } => {
    let node: unknown = doc.contents;
    let keyOffset: number | undefined;
    for (const seg of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair) {
          keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
          next = pair.value;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        next = node.items[seg];
        keyOffset = (next as Node | undefined)?.range?.[0];
      }
      if (next === undefined) return { node: null, keyOffset, found: false };
      node = next;
    }
    return { node: node as Node | null, keyOffset, found: true };
  };

  return {
    value,
    warnings: doc.warnings.map((w) => `${source}: ${w.message}`),
    locate(path) {
      const { keyOffset } = walk(path);
      return keyOffset === undefined ? undefined : at(keyOffset);
    },
    rawText(path) {
      const { node, found } = walk(path);
      if (!found || !isScalar(node) || typeof node.value === 'string' || node.type !== 'PLAIN' || !node.range) return undefined;
      return text.slice(node.range[0], node.range[1]);
    },
  };
}
