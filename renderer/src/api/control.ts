// Calls that throw: pages await `invoke(...)` and show `ControlFailure.error` next to the field
// (error.field) or at the top of the form.
import type { ArgsOf, ControlError, ControlMethod, ResultOf } from '../../../preload/contract';
import { transport } from './transport';

export class ControlFailure extends Error {
  constructor(readonly error: ControlError) {
    super(error.message);
  }
}

export async function invoke<M extends ControlMethod>(method: M, args: ArgsOf<M>): Promise<ResultOf<M>> {
  const result = await transport().call(method, args);
  if (result.ok) return result.value;
  throw new ControlFailure(result.error);
}

/** Any thrown value as a ControlError the UI can show. */
export function toControlError(err: unknown): ControlError {
  if (err instanceof ControlFailure) return err.error;
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
