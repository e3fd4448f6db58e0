import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatVia, isParseError, parseVia, type Via } from '../../../src/sip/message/index.js';
import { inDialogDestination, responseDestination, stampVia } from '../../../src/sip/transport/routing.js';
import type { SourceInfo } from '../../../src/sip/transport/types.js';

const source: SourceInfo = { transport: 'udp', address: '127.0.0.2', port: 40123, localAddress: '127.0.0.1', localPort: 5060 };

function via(text: string): Via {
  const v = parseVia(text);
  if (isParseError(v) || v[0] === undefined) throw new Error('bad via');
  return v[0];
}

describe('RFC 3581 §4 received/rport', () => {
  it('fills a bare rport with the source port and adds received', () => {
    expect(formatVia(stampVia(via('SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport'), source))).toBe(
      'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport=40123;received=127.0.0.2',
    );
  });

  it('adds received even without rport, and leaves rport absent', () => {
    expect(formatVia(stampVia(via('SIP/2.0/UDP host.example;branch=z9hG4bKa'), source))).toBe('SIP/2.0/UDP host.example;branch=z9hG4bKa;received=127.0.0.2');
  });
});

describe('RFC 3261 §18.2.2 response destination — the reflector rule', () => {
  it('with rport: source address and source port', () => {
    expect(responseDestination(source, stampVia(via('SIP/2.0/UDP evil.example:9;branch=z9hG4bKa;rport'), source))).toEqual({ transport: 'udp', address: '127.0.0.2', port: 40123 });
  });

  it('without rport: source address, Via sent-by port (never the Via host or maddr)', () => {
    expect(responseDestination(source, via('SIP/2.0/UDP evil.example:5080;maddr=224.0.0.1;branch=z9hG4bKa'))).toEqual({ transport: 'udp', address: '127.0.0.2', port: 5080 });
    expect(responseDestination(source, via('SIP/2.0/UDP 255.255.255.255;branch=z9hG4bKa'))).toEqual({ transport: 'udp', address: '127.0.0.2', port: 5060 });
  });

  it('stream transports answer on the connection they came from', () => {
    const tcp: SourceInfo = { ...source, transport: 'tcp' };
    expect(responseDestination(tcp, via('SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKa'), 'tcp-7')).toEqual({ transport: 'tcp', address: '127.0.0.2', port: 5060, connectionId: 'tcp-7' });
  });

  it('property: whatever the Via says, a UDP response goes to the packet source address', () => {
    const host = fc.oneof(
      fc.constantFrom('evil.example', '255.255.255.255', '0.0.0.0', '224.0.0.251', '[ff02::1]', '10.1.2.3', 'victim.example.com'),
      fc.ipV4(),
    );
    fc.assert(
      fc.property(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.boolean(), fc.option(fc.ipV4(), { nil: undefined }), (h, port, rport, maddr) => {
        const text = `SIP/2.0/UDP ${h}${port !== undefined ? `:${port}` : ''};branch=z9hG4bKp${rport ? ';rport' : ''}${maddr !== undefined ? `;maddr=${maddr}` : ''}`;
        const dest = responseDestination(source, stampVia(via(text), source));
        expect(dest.address).toBe('127.0.0.2');
        expect(dest.port).toBe(rport ? 40123 : (port ?? 5060));
      }),
    );
  });
});

describe('RFC 3261 §12.2.1.1 / §8.1.2 in-dialog request destination (no DNS)', () => {
  it('an IP literal next hop is used, with the scheme default port', () => {
    expect(inDialogDestination({ host: '127.0.0.9', port: undefined, secure: false }, source, undefined)).toEqual({ transport: 'udp', address: '127.0.0.9', port: 5060 });
    expect(inDialogDestination({ host: '[::1]', port: 5070, secure: false }, source, undefined)).toEqual({ transport: 'udp', address: '::1', port: 5070 });
  });

  it('a name, broadcast, multicast or unspecified next hop falls back to the dialog source', () => {
    for (const host of ['pbx.example', '255.255.255.255', '239.1.1.1', '0.0.0.0']) {
      expect(inDialogDestination({ host, port: 5080, secure: false }, source, undefined)).toEqual({ transport: 'udp', address: '127.0.0.2', port: 40123 });
    }
  });

  it('TCP/TLS keep the connection id for reuse', () => {
    const tls: SourceInfo = { ...source, transport: 'tls' };
    expect(inDialogDestination({ host: '127.0.0.9', port: undefined, secure: true }, tls, 'tls-1')).toEqual({ transport: 'tls', address: '127.0.0.9', port: 5061, connectionId: 'tls-1' });
  });
});
