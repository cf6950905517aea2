// Preformatted text (config snippets, files, diffs) that may scroll sideways: focusable and named,
// so a keyboard user can reach it and scroll it, and a screen reader says what it holds.
import type { ReactNode } from 'react';

export function CodeBlock({ label, className = 'code', children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <pre className={className} tabIndex={0} role="region" aria-label={label}>
      {children}
    </pre>
  );
}
