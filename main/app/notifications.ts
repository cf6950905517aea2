// What the desktop app tells the user without being asked, as system notifications (a click
// opens the window): the registry is down without anyone having stopped it, the server
// certificate or Berth's CA expires within 30 days, the data disk is nearly full. Each is said
// once per occurrence, not at every check. Time comes from a Scheduler, so tests run it on a
// clock of their own.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CertificatesState, RegistryStatus } from '../../preload/contract';
import type { RegistryConfig } from '../config/types';
import type { Disposable, Event } from '../lib/events';
import type { NotificationPort } from './ports';

const DAY_MS = 86_400_000;
/** A failure must last this long to be reported: a settings change that cannot start rolls back within it. */
export const SETTLE_MS = 3_000;
export const CERT_CHECK_MS = 6 * 3_600_000;
export const DISK_CHECK_MS = 5 * 60_000;
export const EXPIRY_WARNING_DAYS = 30;
/** Nearly full: less than this much free, or less than LOW_DISK_FRACTION of the disk. */
export const LOW_DISK_BYTES = 1024 ** 3;
export const LOW_DISK_FRACTION = 0.05;

export interface Scheduler {
  now(): number;
  every(ms: number, task: () => Promise<void>): Disposable;
  after(ms: number, task: () => void): Disposable;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  every(ms, task) {
    const t = setInterval(() => void task(), ms);
    t.unref();
    return { dispose: () => clearInterval(t) };
  },
  after(ms, task) {
    const t = setTimeout(task, ms);
    t.unref();
    return { dispose: () => clearTimeout(t) };
  },
};

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** statfs of the folder, or of its nearest existing parent before the registry has created it. */
export async function diskSpace(path: string): Promise<DiskSpace> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const fs = await statfs(p);
      return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw err;
    }
  }
}

export interface NotifierDeps {
  notifications: NotificationPort;
  runtime: { readonly state: RegistryStatus; readonly onDidChangeState: Event<RegistryStatus>; readonly config: RegistryConfig };
  /** The control service's certs.get. */
  certificates: () => Promise<CertificatesState>;
  diskSpace?: (path: string) => Promise<DiskSpace>;
  scheduler?: Scheduler;
  openWindow: () => void;
  onError?: (what: string, err: unknown) => void;
}

export interface Notifier extends Disposable {
  /** The periodic checks, run now (they also run on their own timers). */
  checkCertificates(): Promise<void>;
  checkDisk(): Promise<void>;
}

export function createNotifier(d: NotifierDeps): Notifier {
  const clock = d.scheduler ?? realScheduler;
  const space = d.diskSpace ?? diskSpace;
  const notify = (title: string, body: string) => d.notifications.show({ title, body }, d.openWindow);

  // Every orderly stop (the window, the tray, Quit, a restart for new settings) passes through
  // 'stopping'; 'stopped' without it, or a 'failed' that nothing repairs, is the registry
  // going down on its own.
  let orderly = false;
  let pending: Disposable | undefined;
  const onState = (s: RegistryStatus) => {
    pending?.dispose();
    pending = undefined;
    if (s.status === 'stopping') orderly = true;
    if (s.status === 'running') orderly = false;
    const down = s.status === 'failed' || (s.status === 'stopped' && !orderly);
    if (!down) return;
    pending = clock.after(SETTLE_MS, () => {
      pending = undefined;
      notify("Berth's registry is not running",
        s.status === 'failed' ? `${s.error}. Open Berth to start it again.` : 'It stopped without being asked to. Open Berth to start it again.');
    });
  };

  const warnedCerts = new Set<string>();
  const checkCertificates = async () => {
    if (d.runtime.config.http.tls === undefined) return; // a certificate nothing serves cannot hurt
    const certs = await d.certificates();
    for (const [kind, cert] of [['server', certs.server], ['ca', certs.ca]] as const) {
      if (!cert) continue;
      const left = Date.parse(cert.notAfter) - clock.now();
      if (left > EXPIRY_WARNING_DAYS * DAY_MS) continue;
      const key = `${kind}:${cert.fingerprintSha256}:${left <= 0 ? 'expired' : 'expiring'}`;
      if (warnedCerts.has(key)) continue;
      warnedCerts.add(key);
      const days = Math.ceil(left / DAY_MS);
      const when = left <= 0 ? 'has expired' : `expires in ${days} day${days === 1 ? '' : 's'}`;
      if (kind === 'server') {
        notify(`The registry's TLS certificate ${when}`,
          `Clients refuse the registry once it has expired (${cert.notAfter}). Renew it on the Certificates page.`);
      } else {
        notify(`Berth's certificate authority ${when}`,
          `Clients that trust its ca.crt refuse the registry once it has expired (${cert.notAfter}). Make a new CA on the Certificates page and give clients the new ca.crt.`);
      }
    }
  };

  let diskLow = false;
  const checkDisk = async () => {
    const storage = d.runtime.config.storage;
    if (storage.driver !== 'filesystem') return;
    const root = storage.filesystem.rootdirectory;
    const { freeBytes, totalBytes } = await space(root);
    const low = freeBytes < LOW_DISK_BYTES || freeBytes < totalBytes * LOW_DISK_FRACTION;
    if (low && !diskLow) {
      notify('The disk holding your images is nearly full',
        `${formatGiB(freeBytes)} free of ${formatGiB(totalBytes)} on the disk of ${root}. Pushes fail once it is full: delete images and run garbage collection on the Storage page.`);
    }
    diskLow = low; // said again only after it has recovered
  };

  const guarded = (what: string, check: () => Promise<void>) => () => check().catch((err: unknown) => d.onError?.(what, err));
  const certTask = guarded('certificate check', checkCertificates);
  const diskTask = guarded('disk space check', checkDisk);
  const subs: Disposable[] = [
    d.runtime.onDidChangeState(onState),
    // TLS may just have been turned on, or a certificate replaced.
    d.runtime.onDidChangeState((s) => { if (s.status === 'running') void certTask(); }),
    clock.every(CERT_CHECK_MS, certTask),
    clock.every(DISK_CHECK_MS, diskTask),
  ];
  void certTask();
  void diskTask();
  return {
    checkCertificates,
    checkDisk,
    dispose() {
      pending?.dispose();
      for (const s of subs) s.dispose();
    },
  };
}

function formatGiB(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
