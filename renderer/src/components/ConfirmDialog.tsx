// A modal confirmation for destructive actions. It says exactly what goes; when `typeToConfirm`
// is set the user types that name first (whole repositories, a new CA).
import { useEffect, useRef, useState, type ReactNode } from 'react';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  typeToConfirm?: string;
  busy?: boolean;
  error?: string | undefined;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog({ title, children, confirmLabel, danger = true, typeToConfirm, busy, error, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const blocked = busy || (typeToConfirm !== undefined && typed !== typeToConfirm);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!blocked) onConfirm();
        }}
      >
        <h2 id="confirm-title">{title}</h2>
        <div className="dialog-body">{children}</div>
        {typeToConfirm !== undefined ? (
          <label className="type-to-confirm">
            Type <code>{typeToConfirm}</code> to confirm
            <input autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} spellCheck={false} />
          </label>
        ) : null}
        {error ? <p className="field-error" role="alert">{error}</p> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>Cancel</button>
          <button type="submit" className={danger ? 'btn btn-danger' : 'btn btn-primary'} disabled={blocked} autoFocus={typeToConfirm === undefined}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
