import { describe, expect, it } from 'vitest';
import { requestIds, serverTransactionKey } from '../../../src/sip/transaction/key.js';
import { req } from './fake-env.js';

function make(method: string, via: string, opts: { cseqMethod?: string; toTag?: string; uri?: string } = {}) {
  return req(
    `${method} ${opts.uri ?? 'sip:a@127.0.0.1'} SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:b@127.0.0.2>;tag=f1\r\n` +
      `To: <sip:a@127.0.0.1>${opts.toTag !== undefined ? `;tag=${opts.toTag}` : ''}\r\nCall-ID: k1\r\nCSeq: 4 ${opts.cseqMethod ?? method}\r\nContent-Length: 0\r\n\r\n`,
  );
}

function key(r: ReturnType<typeof make>, as?: string): string {
  const ids = requestIds(r);
  if (ids === undefined) throw new Error('ids');
  return serverTransactionKey(r, ids, as);
}

describe('RFC 3261 §17.2.3 matching requests to server transactions', () => {
  const via = 'SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK776asdhds';

  it('ACK for a non-2xx matches the INVITE (same branch, method ACK ≙ INVITE)', () => {
    expect(key(make('ACK', via, { toTag: 'x' }))).toBe(key(make('INVITE', via)));
  });

  it('CANCEL has its own transaction but finds the INVITE with asMethod', () => {
    const cancel = make('CANCEL', via);
    expect(key(cancel)).not.toBe(key(make('INVITE', via)));
    expect(key(cancel, 'INVITE')).toBe(key(make('INVITE', via)));
  });

  it('sent-by is part of the key: the same branch from another host is another transaction', () => {
    expect(key(make('INVITE', 'SIP/2.0/UDP 127.0.0.3:5060;branch=z9hG4bK776asdhds'))).not.toBe(key(make('INVITE', via)));
  });

  it('RFC 2543 fallback (no magic cookie): Request-URI, From tag, Call-ID, CSeq and top Via', () => {
    const old = 'SIP/2.0/UDP 127.0.0.2:5060;branch=oldstyle';
    expect(key(make('ACK', old, { toTag: 'ours' }))).toBe(key(make('INVITE', old)));
    expect(key(make('INVITE', old, { uri: 'sip:other@127.0.0.1' }))).not.toBe(key(make('INVITE', old)));
    expect(key(make('INVITE', 'SIP/2.0/UDP 127.0.0.2:5060'))).not.toBe(key(make('INVITE', old)));
  });
});
