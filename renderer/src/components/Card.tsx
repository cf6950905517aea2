// A titled section of a page, Docker Desktop settings style.
import type { ReactNode } from 'react';

export function Card({ title, description, actions, children, id }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-label={title} id={id}>
      <header className="card-header">
        <div>
          <h2>{title}</h2>
          {description ? <p className="card-description">{description}</p> : null}
        </div>
        {actions ? <div className="card-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Chip({ on, label, title }: { on: boolean; label: string; title?: string }) {
  return (
    <span className={on ? 'chip chip-on' : 'chip chip-off'} title={title}>
      <span className="chip-dot" aria-hidden="true" />
      {label}: {on ? 'on' : 'off'}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted" role="status">Loading {what}…</p>;
}
