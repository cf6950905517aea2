// The building blocks of the config.yml schema: each kind of value as registry:3 reads it
// (nullable, as YAML writes an empty key; durations in Go syntax or nanoseconds; choices
// case-insensitive). schema.ts assembles distribution's keys from them, berth-section.ts the
// `berth:` keys from the setting table.
import * as z from 'zod';
import { durationProblem } from './duration';

/** Schemas whose value is text; the loader turns `password: 0123` back into "0123" for them. */
export const STRING_FIELDS = new WeakSet<z.ZodType>();

export function str() {
  const s = z.string();
  STRING_FIELDS.add(s);
  return s.nullish();
}

/** A list of strings; a single string is accepted as a one-element list. */
export function strList() {
  const item = z.string();
  STRING_FIELDS.add(item);
  return z.preprocess((v) => (typeof v === 'string' || typeof v === 'number' ? [v] : v), z.array(item)).nullish();
}

export const bool = () => z.boolean().nullish();
export const count = () => z.number().int().min(0).nullish();

// distribution reads storage driver parameters loosely: "100" and "true" (from an environment
// variable, say) count as a number and a boolean there, so they do here.
export const looseCount = () => z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int().min(0)).nullish();
export const looseBool = () => z.preprocess((v) => (typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() === 'true' : v), z.boolean()).nullish();

/** A Go duration string ("10s") or a bare integer of nanoseconds. */
export function duration() {
  return z
    .union([z.string(), z.number()], { error: 'expected a duration such as "10s", "1h30m" or "168h"' })
    .superRefine((v, ctx) => {
      const problem = durationProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullish();
}

/** A section registry:3 understands and Berth does not (or only partly); judged in compat.ts. */
export const opaque = () => z.unknown().optional();

/** Case-insensitive choice, as distribution lower-cases these values before comparing. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(values))
    .nullish();
}

export const section = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape).nullish();

