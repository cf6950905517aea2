// The few registry API calls an import makes, over node:http(s): is a blob linked, mount it,
// upload it from a stream, cancel an upload, put a manifest. The registry verifies every blob's
// digest as it writes it and refuses a manifest whose blobs are missing, so going through its
// API keeps every invariant the store keeps for `docker push`.
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ImportError } from './import-error';

export interface PushTarget {
  /** The registry's base URL, ending with `/` (its http.prefix): `http://127.0.0.1:5000/`. */
  base: URL;
  /** When the registry listens on a unix socket (http.net: unix). */
  socketPath?: string;
  /**
   * For https: the DER of the certificate the server must present (the one its config names).
   * It is compared byte for byte, so a self-signed or locally issued certificate works without
   * any CA setup, and nothing else listening on the address is trusted.
   */
  pinnedCertificate?: Buffer;
  /** `Basic …` for a registry that requires a login to push. */
  authorization?: string;
}

interface Reply { status: number; headers: IncomingMessage['headers']; body: Buffer }

export class RegistryPush {
  private readonly agent: HttpAgent;

  constructor(private readonly target: PushTarget) {
    const https = target.base.protocol === 'https:';
    this.agent = https ? pinnedAgent(target.pinnedCertificate) : new HttpAgent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Whether `digest` is already linked in `repository` (then the import skips it). */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const r = await this.send('HEAD', `v2/${repository}/blobs/${digest}`);
    if (r.status === 200) return true;
    if (r.status === 404) return false;
    throw this.refused(r, `checking blob ${digest} in ${repository}`);
  }

  /**
   * Links a stored blob into `repository` without sending it: from `from` when given, else from
   * any repository holding it (Berth's mount without `from`). Otherwise the registry opens an
   * upload session, whose URL is returned for the bytes.
   */
  async mount(repository: string, digest: string, from?: string): Promise<{ mounted: true } | { mounted: false; upload: string }> {
    const q = new URLSearchParams({ mount: digest, ...(from ? { from } : {}) });
    const r = await this.send('POST', `v2/${repository}/blobs/uploads/?${q}`, { 'Content-Length': 0 });
    if (r.status === 201) return { mounted: true };
    if (r.status === 202 && typeof r.headers.location === 'string') return { mounted: false, upload: r.headers.location };
    throw this.refused(r, `starting the upload of ${digest} to ${repository}`);
  }

  /** Sends a blob's bytes to an upload session and commits it; the registry checks the digest. */
  async upload(session: string, digest: string, size: number, body: AsyncIterable<Buffer>): Promise<void> {
    const u = new URL(session, this.target.base);
    u.searchParams.set('digest', digest);
    const r = await this.send('PUT', u, { 'Content-Type': 'application/octet-stream', 'Content-Length': size }, body);
    if (r.status !== 201) throw this.refused(r, `storing blob ${digest}`);
  }

  /** Removes an upload session and its partial bytes; failures are ignored (purging removes it later). */
  async cancel(session: string): Promise<void> {
    await this.send('DELETE', new URL(session, this.target.base)).catch(() => undefined);
  }

  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<void> {
    const r = await this.send('PUT', `v2/${repository}/manifests/${reference}`, { 'Content-Type': mediaType, 'Content-Length': bytes.length }, [bytes]);
    if (r.status !== 201) throw this.refused(r, `storing manifest ${reference} of ${repository}`);
  }

  /** The registry's error as one line: its OCI error code and message, or the status. */
  private refused(r: Reply, what: string): ImportError {
    if (r.status === 401) {
      return new ImportError(this.target.authorization
        ? `the registry at ${this.target.base.origin} refused the login (HTTP 401)`
        : `the registry at ${this.target.base.origin} requires a login: give --user NAME (the password on stdin or at the prompt), or stop Berth and import offline`);
    }
    let detail = `HTTP ${r.status}`;
    try {
      const e = (JSON.parse(r.body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string; detail?: unknown }> }).errors?.[0];
      if (e) detail = `${e.code ?? r.status}: ${e.message ?? ''}${e.detail !== undefined ? ` (${JSON.stringify(e.detail)})` : ''}`;
    } catch { /* not the OCI envelope: the status says enough */ }
    return new ImportError(`the registry refused ${what}: ${detail}`);
  }

  private send(method: string, where: string | URL, headers: OutgoingHttpHeaders = {}, body?: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<Reply> {
    // Only the path of a Location is used: the registry may name itself by a public address
    // (http.host), and the import always talks to the address it chose.
    const rel = typeof where === 'string' ? new URL(where, this.target.base) : where;
    const url = new URL(rel.pathname + rel.search, this.target.base);
    const { socketPath } = this.target;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    if (this.target.authorization) headers = { ...headers, Authorization: this.target.authorization };
    return new Promise<Reply>((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, ...(socketPath ? { socketPath } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
        res.once('error', reject);
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.once('error', (err) => reject(new ImportError(`cannot reach the registry at ${this.target.base.origin}: ${err.message}`)));
      if (!body) return req.end();
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!req.write(chunk)) await new Promise<void>((r) => req.once('drain', r));
            if (req.destroyed) return;
          }
          req.end();
        } catch (err) {
          req.destroy(err as Error);
          reject(err);
        }
      })();
    });
  }
}

/**
 * An agent whose connections are handed to a request only after the handshake, and only when
 * the server's certificate is the pinned one: nothing (no credentials, no bytes) is written to
 * any other. The CA chain is not what is trusted, so OpenSSL's verdict is not asked for.
 */
function pinnedAgent(pin: Buffer | undefined): HttpsAgent {
  if (!pin) throw new Error('an https registry needs the certificate it must present');
  const agent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: false });
  (agent as unknown as { createConnection: unknown }).createConnection = (options: ConnectionOptions, done: (err: Error | null, socket?: TLSSocket) => void) => {
    const socket = tlsConnect(options);
    let answered = false;
    const answer = (err: Error | null) => {
      if (answered) return;
      answered = true;
      if (err) {
        socket.destroy();
        done(err);
      } else done(null, socket);
    };
    socket.once('secureConnect', () => answer(socket.getPeerCertificate().raw?.equals(pin) ? null : new Error('the server presented a certificate other than the one in its config (http.tls.certificate)')));
    socket.once('error', answer);
    return undefined; // the request waits for `done`
  };
  return agent;
}
