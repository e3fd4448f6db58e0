import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestHash, digestResponse, formatChallenge, parseDigestCredentials } from '../../../src/sip/auth/digest.js';

// RFC 7616 §3.9.1: user "Mufasa", password "Circle of Life", GET /dir/index.html.
const RFC7616_EXAMPLE = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth' as const,
};

describe('RFC 7616 §3.9.1 examples with SHA-256 and MD5', () => {
  it('MD5 response = 8ca523f5e9506fed4657c9700eebdbec', () => {
    expect(digestResponse({ ...RFC7616_EXAMPLE, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('SHA-256 response = 753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1', () => {
    expect(digestResponse({ ...RFC7616_EXAMPLE, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('parses the example Authorization header field by field', () => {
    const header =
      'Digest username="Mufasa",\r\n realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
      'qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const p = parseDigestCredentials(header.replace(/\r\n/g, ''));
    expect(p?.get('username')).toBe('Mufasa');
    expect(p?.get('algorithm')).toBe('SHA-256');
    expect(p?.get('nc')).toBe('00000001');
    expect(p?.get('qop')).toBe('auth');
    expect(p?.get('opaque')).toBe('FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
  });
});

describe('digest credential parsing', () => {
  it('refuses other schemes, unterminated quotes and repeated parameters', () => {
    expect(parseDigestCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toBeUndefined();
    expect(parseDigestCredentials('Digest username="Mufasa')).toBeUndefined();
    expect(parseDigestCredentials('Digest nc=1, nc=2')).toBeUndefined();
    expect(parseDigestCredentials('Digest =x')).toBeUndefined();
  });

  it('unescapes quoted-pairs', () => {
    expect(parseDigestCredentials('Digest realm="a\\"b\\\\c"')?.get('realm')).toBe('a"b\\c');
  });

  it('property: any realm survives formatChallenge → parse (quotes and backslashes escaped)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.boolean(), (realm, stale) => {
        const text = formatChallenge({ realm, nonce: 'n0nce', opaque: 'op', algorithm: 'SHA-256', stale });
        const p = parseDigestCredentials(text);
        expect(p?.get('realm')).toBe(realm);
        expect(p?.get('nonce')).toBe('n0nce');
        expect(p?.get('stale')).toBe(stale ? 'TRUE' : undefined);
      }),
    );
  });

  it('property: the parser never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        parseDigestCredentials(`Digest ${s}`);
      }),
    );
  });

  it('hashes with the named algorithm', () => {
    expect(digestHash('MD5', '')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(digestHash('SHA-256', '')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
