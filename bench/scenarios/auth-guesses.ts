// Issue 10: does a password-guessing burst slow down the clients that are logged in?
// One steady client GETs a manifest by tag with correct Basic credentials on every request (as
// Docker does after `docker login`). While it runs, quiet phases alternate with bursts of 50
// wrong-password guesses: quiet, burst, quiet, burst, quiet, burst, quiet (one burst with
// --quick). A burst phase lasts until its last guess is answered, and a request counts as
// guessed if any burst ran while it did, so "quiet" is only what no guess could have touched.
// Alternating, rather than one quiet run and then one guessed run, keeps a drift in the
// machine's background load from landing on one side of the comparison only.
//
// The guesses are the attack that costs the server the most, which is the honest worst case:
// - all 50 at once, each on a new connection: the bcrypt work piles up at the same moment
//   instead of trickling in (spread over a few seconds, at most one compare runs at a time);
// - each from its own address (127.0.R.2 … 127.0.R.51 for burst R; the whole 127/8 is loopback
//   on Linux): Berth's limiter keys on the client address, so from one address it would refuse
//   everything past the 10th failure at once without bcrypt; from 50 addresses (a botnet, or
//   hosts behind different NATs) every guess is judged: 50 bcrypt compares per burst;
// - each with a distinct wrong password for the real user, so no answer can come from a cache.
// The table row is the whole run; the line under it splits quiet from guessed.
// Target (issue 10): Berth's p99 while guessed at is at most 2× its quiet p99. distribution runs
// bcrypt on every request, the steady client's too, and has no limiter; its figures are shown
// for comparison only (its burst phases hold only a few of its ~1 s requests).
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Histogram } from '../histogram';
import { pushImage, smallImage } from '../images';
import { runLoad } from '../load';
import { fetchManifest } from '../registry-client';
import { AUTH, AUTH_USER } from './auth';
import type { RatioTarget, Scenario, ServerVariant } from './types';

const GUESSES = 50;
const REPO = 'bench/guessed';
const TAG = 'v1';
/** The steady client's connections: one, as a single `docker pull` fetches its manifests. */
const CONCURRENCY = 1;
const TARGET_P99_RATIO = 2;

/**
 * The same htpasswd file as the auth-* scenarios, on a pair of its own: the limiter's records
 * of these guesses and the bcrypt pool's state stay out of the other auth scenarios.
 */
const GUESSED: ServerVariant = { ...AUTH, key: 'htpasswd-guesses' };

interface GuessOutcome { status: number; ms: number }

/** One guess as an attacker sends it: a fresh connection from `localAddress`, then closed. */
function guess(baseUrl: string, localAddress: string, password: string): Promise<GuessOutcome> {
  const u = new URL(baseUrl);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: u.hostname, port: Number(u.port), path: '/v2/', localAddress, agent: false,
      headers: { authorization: 'Basic ' + Buffer.from(`${AUTH_USER}:${password}`).toString('base64'), connection: 'close' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error('no answer in 120 s')));
    req.on('error', (e) => reject(new Error(`guess from ${localAddress}: ${e.message}`)));
  });
}

/** Burst `round`: all guesses at once; each must be refused: 401, or 429 when shed unjudged. */
async function guessBurst(baseUrl: string, round: number): Promise<GuessOutcome[]> {
  const out = await Promise.all(Array.from({ length: GUESSES }, (_, i) => guess(baseUrl, `127.0.${round}.${i + 2}`, `wrong-${round}-${i}`)));
  const bad = out.find((o) => o.status !== 401 && o.status !== 429);
  if (bad) throw new Error(`a wrong-password guess got ${bad.status}, expected 401 (or 429)`);
  return out;
}

const guessesScenario: Scenario = {
  name: 'auth-guesses-50-c1',
  description: `authenticated GET manifest by tag, 1 steady client (Basic on every request): quiet vs while ${GUESSES} wrong-password guesses arrive at once, each on a new connection from its own 127.0.x.y`,
  unit: 'req/s',
  variant: GUESSED,
  async prepare(ctx) {
    const rounds = ctx.quick ? 1 : 3;
    const quietMs = ctx.quick ? 1000 : 2000;
    const img = smallImage('guessed');
    await pushImage(ctx.target, REPO, TAG, img);
    const fetch = () => fetchManifest(ctx.target, 'GET', REPO, TAG, img.manifestDigest);
    // Warm-up by time, not by a few ops: a fresh server's first second (JIT, lazy set-up, and
    // Berth's one bcrypt check of these credentials) had a p99 several times that of later ones.
    await runLoad(fetch, { concurrency: CONCURRENCY, durationMs: 1500, maxOps: 1_000_000 });

    let guessing = false;
    let bursts = 0;
    let guessedMs = 0;
    const quiet = new Histogram();
    const guessed = new Histogram();
    const outcomes: GuessOutcome[] = [];
    const phases = async () => {
      for (let r = 0; r < rounds; r++) {
        await sleep(quietMs);
        guessing = true;
        bursts++;
        const t0 = performance.now();
        outcomes.push(...await guessBurst(ctx.target.baseUrl, r));
        guessedMs += performance.now() - t0;
        guessing = false;
      }
      await sleep(quietMs);
    };
    // A request is quiet only if no burst was running at any time while it was (a slow
    // reference request that a burst starts under is a guessed one).
    const op = async () => {
      const [wasGuessing, burstsBefore] = [guessing, bursts];
      const t0 = performance.now();
      const bytes = await fetch();
      (wasGuessing || bursts !== burstsBefore ? guessed : quiet).record(performance.now() - t0);
      return bytes;
    };
    return {
      // The table's row is the whole alternating run (so its CPU figures are measured over the
      // same time as its request count); the phases are split in the line below it.
      measure: () => runLoad(op, { concurrency: CONCURRENCY, durationMs: 300_000, maxOps: 100_000_000, during: phases }),
      extra: () => {
        const values: Record<string, number> = {
          'quiet p50 ms': quiet.percentile(50),
          'quiet p99 ms': quiet.percentile(99),
          'guessed p50 ms': guessed.percentile(50),
          'guessed p99 ms': guessed.percentile(99),
          'quiet requests': quiet.count,
          'guessed requests': guessed.count,
          'bursts': rounds,
          'guessed s': guessedMs / 1000,
          'slowest guess answered ms': Math.max(...outcomes.map((o) => o.ms)),
          'guesses 401': outcomes.filter((o) => o.status === 401).length,
          'guesses 429': outcomes.filter((o) => o.status === 429).length,
        };
        const ratios: Array<[string, string, string]> = [['p99 guessed/quiet', 'guessed p99 ms', 'quiet p99 ms']];
        // The target is Berth's (issue 10); distribution is shown for comparison only.
        const targets: RatioTarget[] = ctx.target.name === 'berth'
          ? [{ label: 'p99 guessed/quiet', numerator: 'guessed p99 ms', denominator: 'quiet p99 ms', max: TARGET_P99_RATIO }]
          : [];
        return { values, ratios, targets };
      },
    };
  },
};

export function authGuessScenarios(): Scenario[] {
  return [guessesScenario];
}
