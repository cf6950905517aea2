// TLS cipher suite names as config.yml spells them (Go's crypto/tls / IANA names, the keys of
// distribution's cipherSuites map in registry/registry.go), mapped to the OpenSSL names that
// Node's tls.createServer({ ciphers }) understands.

/** TLS 1.2 suites Berth can enforce through Node's OpenSSL. */
export const TLS12_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  // Go's older spellings of the two suites above (crypto/tls keeps them as aliases).
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  // RSA key exchange (no forward secrecy); distribution's map accepts them, so do we.
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
};

/**
 * TLS 1.3 suites: distribution accepts the names but Go never lets them be configured, so
 * listing them has no effect there. Berth accepts them for the same reason and ignores them.
 */
export const TLS13_CIPHER_SUITES: ReadonlySet<string> = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
]);

/** Why a name that looks like a cipher suite is refused; undefined when it is accepted. */
export function cipherSuiteProblem(name: string): string | undefined {
  if (name in TLS12_CIPHER_SUITES || TLS13_CIPHER_SUITES.has(name)) return undefined;
  if (name.includes('3DES')) {
    return `cipher suite ${name} is supported by registry:3 but not by Berth (Node's OpenSSL no longer offers 3DES)`;
  }
  if (name.includes('RC4') || name.endsWith('_CBC_SHA256')) {
    // The distribution docs list these, but its code refuses them at startup too.
    return `cipher suite ${name} is listed in the registry docs but refused by registry:3 and Berth`;
  }
  return `unknown cipher suite ${name}`;
}

/** All accepted names, for "did you mean" hints and the docs. */
export const KNOWN_CIPHER_SUITES: readonly string[] = [...Object.keys(TLS12_CIPHER_SUITES), ...TLS13_CIPHER_SUITES];

/** The OpenSSL cipher string for a configured list (TLS 1.3 names dropped), or undefined for Node's defaults. */
export function openSslCipherList(names: readonly string[]): string | undefined {
  const mapped = names.map((n) => TLS12_CIPHER_SUITES[n]).filter((n): n is string => n !== undefined);
  return mapped.length > 0 ? [...new Set(mapped)].join(':') : undefined;
}
