// TLS for the API listener (http.tls): loads the certificate and key with clear errors, maps
// minimumtls and Go-named cipher suites to Node's options, and reloads the pair when the files
// change, through setSecureContext, so a renewed certificate needs no restart and existing
// connections are not dropped.
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { openSslCipherList } from '../../config/cipher-suites';
import type { TlsConfig } from '../../config/types';
import type { Logger } from '../../lib/logger';

export async function loadTlsOptions(tls: TlsConfig): Promise<SecureContextOptions> {
  const read = async (what: string, path: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new Error(`http.tls.${what}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const opts: SecureContextOptions = {
    cert: await read('certificate', tls.certificate),
    key: await read('key', tls.key),
    minVersion: tls.minimumtls === 'tls1.3' ? 'TLSv1.3' : 'TLSv1.2',
  };
  // Like Go, the list applies to TLS 1.2 only; TLS 1.3 suites are not configurable.
  const ciphers = tls.minimumtls === 'tls1.2' ? openSslCipherList(tls.ciphersuites) : undefined;
  if (ciphers) opts.ciphers = ciphers;
  try {
    createSecureContext(opts);
  } catch (err) {
    const msg = (err as Error).message;
    if (/key values mismatch|KEY_VALUES_MISMATCH/i.test(msg)) {
      throw new Error(`http.tls.key (${tls.key}) does not match http.tls.certificate (${tls.certificate})`);
    }
    throw new Error(`http.tls: cannot use ${tls.certificate} and ${tls.key}: ${msg}`);
  }
  return opts;
}

/** How often the certificate and key files are stat'ed for a renewal. */
const WATCH_INTERVAL_MS = 2000;

/** Watches the certificate and key; returns a function that stops watching. */
export function watchTlsFiles(server: TlsServer, tls: TlsConfig, log: Logger): () => void {
  let reloading = false;
  const reload = async () => {
    if (reloading) return;
    reloading = true;
    try {
      server.setSecureContext(await loadTlsOptions(tls));
      log.info('TLS certificate reloaded', { certificate: tls.certificate });
    } catch (err) {
      // Keep serving the old pair; a half-written renewal fixes itself on the next change.
      log.warn('TLS certificate not reloaded', { error: (err as Error).message });
    } finally {
      reloading = false;
    }
  };
  const onChange = (cur: { mtimeMs: number }, prev: { mtimeMs: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs) void reload();
  };
  watchFile(tls.certificate, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange);
  watchFile(tls.key, { interval: WATCH_INTERVAL_MS, persistent: false }, onChange);
  return () => {
    unwatchFile(tls.certificate, onChange);
    unwatchFile(tls.key, onChange);
  };
}
