// Step 4: write daemon.json and reload (keeps containers running), restart, or leave it for
// later; then every step's outcome, and the manual commands when Berth could not elevate.
import type { ApplyStep as Step, DaemonApplyResult } from '../../../../preload/contract';
import { CopyLine } from '../../components/CopyButton';
import { ErrorNotice, Notice } from '../../components/Notice';
import type { ControlError } from '../../../../preload/contract';

const STEP: Record<Step, string> = {
  validated: 'Validated the new daemon.json',
  'backed-up': 'Backed up the current file',
  written: 'Wrote daemon.json',
  reloaded: 'Reloaded Docker (containers kept running)',
  restarted: 'Restarted Docker',
  verified: 'Verified with docker info',
  'rolled-back': 'Rolled back to the backup',
};

export function ApplyButtons({ busy, onApply }: { busy: boolean; onApply(then: 'reload' | 'restart' | 'later'): void }) {
  return (
    <div className="form-actions">
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => onApply('reload')}>Apply and reload (keeps containers running)</button>
      <button type="button" className="btn" disabled={busy} onClick={() => onApply('restart')}>Apply and restart Docker</button>
      <button type="button" className="btn" disabled={busy} onClick={() => onApply('later')}>Write the file, apply later</button>
    </div>
  );
}

export function ApplyOutcome({ result, error }: { result: DaemonApplyResult | undefined; error: ControlError | undefined }) {
  if (error) return <ErrorNotice error={error} />;
  if (!result) return null;
  return (
    <div className="apply-outcome" aria-label="Outcome">
      <Notice kind={result.ok ? 'success' : 'error'}>{result.message}</Notice>
      {result.warnings?.map((w) => <Notice key={w} kind="warning">{w}</Notice>)}
      {result.steps.length > 0 ? (
        <ol className="steps">
          {result.steps.map((s) => <li key={s} className={s === 'rolled-back' ? 'step-bad' : 'step-ok'}>{STEP[s]}</li>)}
        </ol>
      ) : null}
      {result.backupPath ? <p className="muted">Backup: <code>{result.backupPath}</code></p> : null}
      {result.manualCommands?.length ? (
        <>
          <p>Run these commands yourself (Berth could not get administrator rights):</p>
          {result.manualCommands.map((c) => <CopyLine key={c} text={c} />)}
        </>
      ) : null}
    </div>
  );
}
