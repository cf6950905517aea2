// Reads the structure of the zod schema back (which keys an object has, whether a node is a map,
// a list or a scalar), so that env overrides, typo hints and the raw-text fix-up for string
// fields all follow the one schema instead of a second hand-written key tree.
import type * as z from 'zod';
import { STRING_FIELDS } from './schema-kinds';

export type Shape =
  | { kind: 'object'; fields: Readonly<Record<string, z.ZodType>> }
  | { kind: 'record'; value: z.ZodType }
  | { kind: 'array'; element: z.ZodType }
  /** Declared but not described (sections Berth only judges as a whole). */
  | { kind: 'opaque' }
  | { kind: 'scalar'; text: boolean };

// Only the parts of zod's internal definition that we read.
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: readonly z.ZodType[];
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

export function shapeOf(schema: z.ZodType): Shape {
  let text = STRING_FIELDS.has(schema);
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return shapeOf(def.innerType!);
    case 'pipe': {
      // z.preprocess(f, S) is pipe(transform, S); S.transform(f) is pipe(S, transform).
      const out = def.out!;
      return shapeOf(defOf(out).type === 'transform' ? def.in! : out);
    }
    case 'union': {
      const shapes = (def.options ?? []).map(shapeOf);
      const structured = shapes.find((s) => s.kind !== 'scalar');
      if (structured) return structured;
      text ||= shapes.some((s) => s.kind === 'scalar' && s.text);
      return { kind: 'scalar', text };
    }
    case 'object':
      return { kind: 'object', fields: def.shape ?? {} };
    case 'record':
      return { kind: 'record', value: def.valueType! };
    case 'array':
      return { kind: 'array', element: def.element! };
    case 'unknown':
    case 'any':
      return { kind: 'opaque' };
    default:
      return { kind: 'scalar', text };
  }
}

/** The known keys of the object at `path` (for "did you mean" hints), or [] if there is none. */
export function knownKeysAt(root: z.ZodType, path: readonly (string | number)[]): string[] {
  let shape = shapeOf(root);
  for (const seg of path) {
    if (shape.kind === 'object' && typeof seg === 'string' && shape.fields[seg]) shape = shapeOf(shape.fields[seg]);
    else if (shape.kind === 'record') shape = shapeOf(shape.value);
    else if (shape.kind === 'array') shape = shapeOf(shape.element);
    else return [];
  }
  return shape.kind === 'object' ? Object.keys(shape.fields) : [];
}
