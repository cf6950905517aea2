// Type tools that turn the setting table's dotted paths into nested object types, so the types of
// settings are derived from the table rather than written a second time.

/** "a.b" and V → { a: { b: V } }. */
export type Nest<P extends string, V> = P extends `${infer H}.${infer T}` ? { [K in H]: Nest<T, V> } : { [K in P]: V };

/** A | B → A & B. */
export type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Spells an intersection of nested objects out as one object type (readable in editors). */
export type Spell<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]: Spell<T[K]> } : T;
