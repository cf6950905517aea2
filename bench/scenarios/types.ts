// What a scenario is: per-server preparation (untimed), then one bounded measurement.
import type { Target } from '../http';
import type { LoadResult } from '../load';
import type { ConfigTransform, RunningServer } from '../servers';

/** MB/s counts payload bytes (10^6 B/s); the others count completed operations. */
export type Unit = 'MB/s' | 'req/s' | 'images/s';

/**
 * A server configuration other than the shared default pair. Scenarios with the same key share
 * one dedicated pair. Issue 3 adds htpasswd variants: configure writes the htpasswd file into
 * workDir and sets auth.htpasswd; authorization is the Basic header every request then sends.
 * Issue 4 adds a proxy variant: configure sets proxy.remoteurl to an upstream it starts.
 */
export interface ServerVariant {
  key: string;
  configure: ConfigTransform;
  authorization?: string;
}

export interface ScenarioContext {
  target: Target;
  server: RunningServer;
  quick: boolean;
  /** How pulled blob bodies are verified (see BodyMode in http.ts). */
  verify: 'compare' | 'sha256';
  /** Load-generator processes for small-request scenarios (--workers). */
  workers: number;
  /** 0 for the first run of this scenario on this server (--rounds): names what a round pushes. */
  round: number;
  /** Per-server setup shared by several scenarios (e.g. one image for all manifest GETs). */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
  log(msg: string): void;
}

export interface Prepared {
  measure(): Promise<LoadResult>;
  /** Untimed; e.g. deletes pushed 100 MiB blobs from disk so the run stays within disk space. */
  cleanup?(): Promise<void>;
  /**
   * Figures besides the load result, read after measure(): e.g. the proxy scenarios' time to
   * first byte and their baselines (a pull straight from the upstream, a normal pull).
   */
  extra?(): ExtraFigures;
}

/** label → value; `ratios` name pairs [label, numerator, denominator] to print as x-fold. */
export interface ExtraFigures {
  values: Record<string, number>;
  ratios?: Array<[label: string, numerator: string, denominator: string]>;
  /** Ratios with a goal (issue 10: p99 while guessed at ≤ 2× quiet), marked pass/FAIL in the report. */
  targets?: RatioTarget[];
}

/** values[numerator] / values[denominator] must be at most `max`. */
export interface RatioTarget { label: string; numerator: string; denominator: string; max: number }

export interface Scenario {
  name: string;
  description: string;
  unit: Unit;
  /** Optional so the byte scenarios can also report server CPU-seconds per GB. */
  countsBytes?: boolean;
  variant?: ServerVariant;
  prepare(ctx: ScenarioContext): Promise<Prepared>;
}

/** Time/op bounds, shortened by --quick. */
export function bounds(quick: boolean, durationMs: number, maxOps: number): { durationMs: number; maxOps: number } {
  return quick
    ? { durationMs: Math.max(1000, Math.round(durationMs / 5)), maxOps: Math.max(3, Math.round(maxOps / 5)) }
    : { durationMs, maxOps };
}
