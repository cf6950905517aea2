// The control API's schema for settings.update, derived from the setting table's rows the window
// edits: each field gets the rule of its kind, sections change field by field, unknown keys are
// refused. Arguments arrive from a renderer (IPC) or over HTTP (console), so nothing is trusted.
import { isAbsolute as posixAbsolute } from 'node:path/posix';
import { isAbsolute as winAbsolute } from 'node:path/win32';
import * as z from 'zod';
import type { Kind } from '../../preload/contract/setting-table';
import type { SettingsPatch } from '../../preload/contract/settings';
import { durationProblem } from '../config/duration';
import { listItemProblem } from '../config/value-checks';
import { UI_ROWS } from './rows';

export const absolutePath = z.string().min(1, 'Enter a full path.').max(4096)
  .refine((p) => posixAbsolute(p) || winAbsolute(p), 'Use a full path, e.g. /var/lib/berth.');

/** A string checked by a function that says what is wrong, its sentence as the message. */
export const checkedBy = (problem: (v: string) => string | undefined, max = 4096) => z.string().max(max).superRefine((v, ctx) => {
  const p = problem(v);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});

function schemaOf(kind: Kind): z.ZodType {
  switch (kind.type) {
    case 'boolean': return z.boolean();
    case 'integer': {
      const range = kind.max === undefined ? `at least ${kind.min}` : `${kind.min}–${kind.max}`;
      const message = `Enter a whole number, ${range}.`;
      return z.number({ error: message }).int(message).min(kind.min, message).max(kind.max ?? Number.MAX_SAFE_INTEGER, message);
    }
    case 'choice': return z.enum(kind.values as readonly [string, ...string[]]);
    case 'path': return absolutePath;
    case 'url': return z.string().max(2048).refine((u) => u === '' || /^https?:\/\/[^\s/?#]+[^\s]*$/.test(u), 'Include the scheme: an http:// or https:// URL, e.g. https://registry-1.docker.io.');
    case 'duration': return checkedBy((v) => durationProblem(v) && 'Use a Go duration such as 168h, 30m or 1h30m; 0 means never.', 64);
    case 'text': return kind.noQuotes
      ? z.string().min(1).max(kind.max).regex(/^[^"\\\r\n]*$/, 'no quotes or backslashes')
      : z.string().max(kind.max);
    case 'secret': return z.string().max(kind.max);
    case 'list': return z.array(checkedBy((v) => listItemProblem(kind.item, v), 300)).max(kind.max, `at most ${kind.max} entries`);
    default: throw new Error(`settings of kind ${kind.type} are not edited in the window`);
  }
}

function buildPatchSchema(): z.ZodType<SettingsPatch> {
  const top: Record<string, z.ZodType> = {};
  const sections: Record<string, Record<string, z.ZodType>> = {};
  for (const row of UI_ROWS) {
    const kind: Kind = 'value' in row.ui ? row.ui.value : row.value;
    const [first, second] = row.ui.field.split('.') as [string, string | undefined];
    if (second === undefined) top[first] = schemaOf(kind).optional();
    else (sections[first] ??= {})[second] = schemaOf(kind);
  }
  for (const [name, fields] of Object.entries(sections)) top[name] = z.strictObject(fields).partial().optional();
  return z.strictObject(top) as unknown as z.ZodType<SettingsPatch>;
}

export const settingsPatchSchema = buildPatchSchema();
