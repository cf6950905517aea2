// Caps on open upload sessions. Each session is a directory on disk that lives until it is
// committed, cancelled or purged (168 h by default), so without a cap one client could create
// them by the million. Sessions are counted per repository — including the ones already on
// disk, which survive restarts (the repository's `_uploads` is listed once, when it is first
// needed) — and per client address for the ones created since start (an old session's client is
// not recorded anywhere).
import { RegistryError } from '../errors';
import { UPLOAD_ID_RE } from '../reference';
import type { StorageDriver } from './driver/types';
import { listIfExists } from './links';
import { paths } from './paths';

export interface UploadLimits {
  /** 0 = no cap. */
  perRepository: number;
  /** 0 = no cap. */
  perClient: number;
}

/** Seconds a refused client is told to wait: sessions are freed as pushes finish. */
const RETRY_AFTER_S = 60;

export class UploadQuota {
  /** Open session ids per repository (kept for every repository that has had uploads). */
  private readonly repos = new Map<string, Promise<Set<string>>>();
  /** Open sessions (`name/id`) per client key; an entry goes when its last session does. */
  private readonly clients = new Map<string, Set<string>>();
  private readonly owners = new Map<string, string>();

  constructor(private readonly driver: StorageDriver, private readonly limits: UploadLimits) {}

  /** Counts a new session, or throws TOOMANYREQUESTS naming the setting that refused it. */
  async reserve(name: string, id: string, client: string | undefined): Promise<void> {
    const ids = await this.ids(name);
    // From here on synchronous, so concurrent reservations cannot both take the last place.
    const { perRepository, perClient } = this.limits;
    if (perRepository > 0 && ids.size >= perRepository) {
      throw refused(`repository ${name} already has ${ids.size} open upload sessions, the most berth.uploads.maxperrepository allows`, 'berth.uploads.maxperrepository', perRepository);
    }
    const mine = client === undefined ? undefined : this.clients.get(client);
    if (client !== undefined && perClient > 0 && (mine?.size ?? 0) >= perClient) {
      throw refused(`this client already has ${mine!.size} open upload sessions, the most berth.uploads.maxperclient allows`, 'berth.uploads.maxperclient', perClient);
    }
    ids.add(id);
    if (client !== undefined) {
      const key = `${name}/${id}`;
      if (mine) mine.add(key);
      else this.clients.set(client, new Set([key]));
      this.owners.set(key, client);
    }
  }

  /**
   * The sessions that stand in the way of a new one for `name` from `client`: the repository's
   * when it is at its cap, the client's when it is at its own; none when there is room.
   */
  async crowding(name: string, client: string | undefined): Promise<Array<{ name: string; id: string }>> {
    const out: Array<{ name: string; id: string }> = [];
    const { perRepository, perClient } = this.limits;
    const ids = await this.ids(name);
    if (perRepository > 0 && ids.size >= perRepository) for (const id of ids) out.push({ name, id });
    const mine = client === undefined ? undefined : this.clients.get(client);
    if (perClient > 0 && mine && mine.size >= perClient) {
      for (const key of mine) {
        const slash = key.lastIndexOf('/');
        out.push({ name: key.slice(0, slash), id: key.slice(slash + 1) });
      }
    }
    return out;
  }

  /** A session is gone (committed, cancelled, purged, or its creation failed). */
  release(name: string, id: string): void {
    const key = `${name}/${id}`;
    const client = this.owners.get(key);
    if (client !== undefined) {
      this.owners.delete(key);
      const set = this.clients.get(client);
      set?.delete(key);
      if (set?.size === 0) this.clients.delete(client);
    }
    // After the listing, if one is still running: it may have seen the directory before it went.
    void this.repos.get(name)?.then((ids) => ids.delete(id), () => undefined);
  }

  /** The repository was deleted with everything under it. */
  forgetRepository(name: string): void {
    this.repos.delete(name);
    for (const key of [...this.owners.keys()]) {
      const id = key.slice(name.length + 1);
      if (key.startsWith(name + '/') && UPLOAD_ID_RE.test(id)) this.release(name, id);
    }
  }

  private ids(name: string): Promise<Set<string>> {
    let p = this.repos.get(name);
    if (!p) {
      p = listIfExists(this.driver, paths.uploadsDir(name)).then((list) => new Set(list.filter((id) => UPLOAD_ID_RE.test(id))));
      p.catch(() => this.repos.delete(name));
      this.repos.set(name, p);
    }
    return p;
  }
}

function refused(message: string, setting: string, max: number): RegistryError {
  return new RegistryError('too-many-requests', `${message}; finish or cancel some first (stale ones are purged by storage.maintenance.uploadpurging)`,
    { setting, max }, { 'Retry-After': String(RETRY_AFTER_S) });
}
