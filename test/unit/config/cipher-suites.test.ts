import assert from 'node:assert/strict';
import { getCiphers } from 'node:tls';
import { describe, it } from 'node:test';
import { cipherSuiteProblem, openSslCipherList, TLS12_CIPHER_SUITES } from '../../../main/config/cipher-suites';
import { closest, editDistance } from '../../../main/config/suggest';

describe('cipher suites', () => {
  it("maps every accepted Go name to a suite this Node's OpenSSL offers", () => {
    const available = new Set(getCiphers().map((c) => c.toUpperCase()));
    for (const [go, openssl] of Object.entries(TLS12_CIPHER_SUITES)) {
      assert.ok(available.has(openssl), `${go} → ${openssl} is not offered by node:tls`);
    }
  });

  it('builds an OpenSSL cipher list, dropping TLS 1.3 names and duplicates', () => {
    assert.equal(
      openSslCipherList(['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']),
      'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256',
    );
    assert.equal(openSslCipherList([]), undefined);
    assert.equal(openSslCipherList(['TLS_AES_256_GCM_SHA384']), undefined);
  });

  it('explains refused names', () => {
    assert.equal(cipherSuiteProblem('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'), undefined);
    assert.equal(cipherSuiteProblem('TLS_CHACHA20_POLY1305_SHA256'), undefined);
    assert.match(cipherSuiteProblem('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256') ?? '', /refused by registry:3/);
    assert.match(cipherSuiteProblem('TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA') ?? '', /not by Berth/);
    assert.match(cipherSuiteProblem('NOPE') ?? '', /unknown cipher suite/);
  });
});

describe('did-you-mean', () => {
  it('counts a swap of neighbours as one edit and ignores case', () => {
    assert.equal(editDistance('tsl', 'tls'), 1);
    assert.equal(closest('tsl', ['tls', 'http2', 'h2c']), 'tls');
    assert.equal(closest('Storage', ['storage', 'http']), 'storage');
    assert.equal(closest('rootdir', ['rootdirectory', 'maxthreads']), 'rootdirectory');
    assert.equal(closest('banana', ['addr', 'net']), undefined);
  });
});
