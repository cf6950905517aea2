// What an Apply did: the core's sentence ("Restarted the registry on port 5001."), or the error
// no field claimed.
import type { ApplyResult, ControlError } from '../../../../preload/contract';
import { ErrorNotice, Notice } from '../../components/Notice';

export function ApplyOutcome({ result, error, fields }: { result: ApplyResult | undefined; error: ControlError | undefined; fields: string[] }) {
  if (error) return <ErrorNotice error={error} fields={fields} />;
  if (!result) return null;
  return <Notice kind="success">{result.message || (result.restarted ? 'Applied; the registry restarted.' : 'Applied without a restart.')}</Notice>;
}
