// Every scenario in run order. `--scenario X` selects names equal to X or starting with "X-".
import { archiveScenarios } from './archives';
import { authScenarios } from './auth';
import { authGuessScenarios } from './auth-guesses';
import { listingScenarios } from './listing';
import { manifestPutScenarios } from './manifest-put';
import { manifestScenarios } from './manifests';
import { mixedScenarios } from './mixed';
import { proxyScenarios } from './proxy';
import { pullScenarios } from './pull';
import { pushScenarios } from './push';
import type { Scenario } from './types';

export function allScenarios(): Scenario[] {
  return [
    ...pushScenarios(),
    ...pullScenarios(),
    ...manifestScenarios(),
    ...manifestPutScenarios(),
    ...listingScenarios(),
    ...mixedScenarios(),
    ...authScenarios(),
    ...authGuessScenarios(),
    ...proxyScenarios(),
    ...archiveScenarios(),
  ];
}

export function selectScenarios(all: Scenario[], patterns: string[]): Scenario[] {
  if (patterns.length === 0) return all;
  const unknown = patterns.filter((p) => !all.some((s) => s.name === p || s.name.startsWith(p + '-')));
  if (unknown.length > 0) throw new Error(`no scenario matches ${unknown.join(', ')} (see --list)`);
  return all.filter((s) => patterns.some((p) => s.name === p || s.name.startsWith(p + '-')));
}
