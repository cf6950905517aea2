// One setting of the table (preload/contract/setting-table.ts) as a form control: its label, help
// and control come from its row, so a setting is named and explained in one place. The value's
// rules are the core's: its message for a bad value shows under the field.
import { SETTING_ROWS, type Kind, type SettingRow, type UiPlace } from '../../../../preload/contract';
import { Field } from '../../components/Field';
import { Toggle } from '../../components/Toggle';

type UiRow = SettingRow & { ui: UiPlace };

/** The table's row for a Settings field ("proxy.ttl"). */
export function settingRow(field: string): UiRow {
  const row = (SETTING_ROWS as readonly SettingRow[]).find((r) => r.ui?.field === field);
  if (!row) throw new Error(`no setting row edits ${field}`);
  return row as UiRow;
}

interface SettingFieldProps {
  field: string;
  /** Text for text, number and password controls; the choice for selects; on/off for toggles. */
  value: string | boolean;
  onChange(value: string | boolean): void;
  error?: string | undefined;
  /** Replaces the row's help where the form knows more (e.g. "a password is stored"). */
  hint?: string;
  /** Words for a select's choices; the raw values otherwise. */
  choices?: Record<string, string>;
  short?: boolean;
}

export function SettingField({ field, value, onChange, error, hint, choices, short }: SettingFieldProps) {
  const row = settingRow(field);
  const help = hint ?? row.help;
  const className = short ? 'input-short' : undefined;
  switch (row.ui.control) {
    case 'toggle':
      return <Toggle label={row.label} description={help} checked={value === true} onChange={onChange} />;
    case 'select': {
      const kind: Kind = row.ui.value ?? row.value;
      const values = kind.type === 'choice' ? kind.values : [];
      return (
        <Field label={row.label} hint={help} error={error}>
          <select value={String(value)} onChange={(e) => onChange(e.target.value)} className={className}>
            {values.map((v) => <option key={v} value={v}>{choices?.[v] ?? v}</option>)}
          </select>
        </Field>
      );
    }
    default:
      return (
        <Field label={row.label} hint={help} error={error}>
          <input
            value={String(value)}
            onChange={(e) => onChange(e.target.value)}
            className={className}
            spellCheck={false}
            {...(row.ui.control === 'number' ? { inputMode: 'numeric' as const } : {})}
            {...(row.ui.control === 'password' ? { type: 'password', autoComplete: 'new-password' } : { autoComplete: 'off' })}
          />
        </Field>
      );
  }
}
