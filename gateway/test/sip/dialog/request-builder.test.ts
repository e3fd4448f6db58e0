import { describe, expect, it } from 'vitest';
import { buildInDialogRequest } from '../../../src/sip/dialog/request-builder.js';

const base = {
  method: 'BYE',
  callId: 'c1',
  localParty: '<sip:agent@127.0.0.1>;tag=ours',
  remoteParty: '"Caller" <sip:+1555@127.0.0.2>;tag=theirs',
  remoteTarget: 'sip:+1555@127.0.0.2:5070',
  cseq: 42,
  via: 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx;rport',
};

describe('RFC 3261 §12.2.1.1 requests within a dialog', () => {
  it('empty route set: Request-URI = remote target, no Route, next hop = remote target', () => {
    const { request, nextHop } = buildInDialogRequest({ ...base, routeSet: [] });
    expect(request.uri).toBe('sip:+1555@127.0.0.2:5070');
    expect(request.headers.has('Route')).toBe(false);
    expect(request.headers.get('From')).toBe('<sip:agent@127.0.0.1>;tag=ours');
    expect(request.headers.get('To')).toBe('"Caller" <sip:+1555@127.0.0.2>;tag=theirs');
    expect(request.headers.get('CSeq')).toBe('42 BYE');
    expect(nextHop).toEqual({ host: '127.0.0.2', port: 5070, secure: false });
  });

  it('loose first route: Request-URI = remote target, Route = route set, next hop = first route', () => {
    const { request, nextHop } = buildInDialogRequest({ ...base, routeSet: ['<sip:127.0.0.7:5080;lr>', '<sip:127.0.0.8;lr>'] });
    expect(request.uri).toBe('sip:+1555@127.0.0.2:5070');
    expect(request.headers.getAll('Route')).toEqual(['<sip:127.0.0.7:5080;lr>', '<sip:127.0.0.8;lr>']);
    expect(nextHop).toEqual({ host: '127.0.0.7', port: 5080, secure: false });
  });

  it('strict first route: it becomes the Request-URI and the remote target the last Route', () => {
    const { request, nextHop } = buildInDialogRequest({ ...base, routeSet: ['<sip:127.0.0.7:5080>', '<sip:127.0.0.8;lr>'] });
    expect(request.uri).toBe('sip:127.0.0.7:5080');
    expect(request.headers.getAll('Route')).toEqual(['<sip:127.0.0.8;lr>', '<sip:+1555@127.0.0.2:5070>']);
    expect(nextHop).toEqual({ host: '127.0.0.7', port: 5080, secure: false });
  });
});
