// An on/off switch: a real checkbox (keyboard, screen readers, getByLabel) styled as a switch.
import { useId } from 'react';

interface ToggleProps {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
  description?: string;
}

export function Toggle({ label, checked, onChange, disabled, description }: ToggleProps) {
  const id = useId();
  return (
    <div className="toggle-row">
      <input id={id} type="checkbox" role="switch" className="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>
        <span className="toggle-label">{label}</span>
        {description ? <span className="toggle-description">{description}</span> : null}
      </label>
    </div>
  );
}
