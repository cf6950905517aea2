// Go decodes each YAML scalar by the type of the field it lands in, so `password: 0123` is the
// string "0123" in registry:3. A schema-less YAML parser has already turned it into the number
// 83 by then; for every key the schema declares as text, put the original spelling back.
import type * as z from 'zod';
import { shapeOf } from './schema-shape';
import type { KeyPath } from './yaml-source';

export function restoreTextScalars(
  value: unknown,
  schema: z.ZodType,
  rawText: (path: KeyPath) => string | undefined,
  path: KeyPath = [],
): unknown {
  if (value === null || value === undefined) return value;
  const shape = shapeOf(schema);
  switch (shape.kind) {
    case 'scalar':
      if (shape.text && (typeof value === 'number' || typeof value === 'boolean')) return rawText(path) ?? String(value);
      return value;
    case 'array':
      // A single scalar stands for a one-element list (see strList in schema.ts).
      if (!Array.isArray(value)) return restoreTextScalars(value, shape.element, rawText, path);
      return value.map((item, i) => restoreTextScalars(item, shape.element, rawText, [...path, i]));
    case 'object':
    case 'record': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const sub = shape.kind === 'record' ? shape.value : shape.fields[k];
        out[k] = sub ? restoreTextScalars(v, sub, rawText, [...path, k]) : v;
      }
      return out;
    }
    case 'opaque':
      return value;
  }
}
