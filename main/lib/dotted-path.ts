// Reading and writing nested plain objects by dotted path ("proxy.allowPush"), as the setting
// table names config keys and window fields.

/** The value at `path`, or undefined when any step is missing. */
export function getField(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), obj);
}

/** Sets the value at `path`, creating the objects on the way. */
export function setField(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}
