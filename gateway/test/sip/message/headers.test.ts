import { describe, expect, it } from 'vitest';
import { SipHeaders } from '../../../src/sip/message/index.js';

describe('RFC 3261 §7.3 header fields (SipHeaders)', () => {
  it('§7.3.1 names are case-insensitive; §7.3.3 compact forms are the same header', () => {
    const h = new SipHeaders([
      ['v', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
      ['VIA', 'SIP/2.0/UDP b;branch=z9hG4bK2'],
      ['i', 'abc@host'],
      ['l', '0'],
      ['m', '<sip:x@y>'],
      ['k', 'timer'],
    ]);
    expect(h.getAll('Via')).toEqual(['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/UDP b;branch=z9hG4bK2']);
    expect(h.get('call-ID')).toBe('abc@host');
    expect(h.get('Content-Length')).toBe('0');
    expect(h.get('contact')).toBe('<sip:x@y>');
    expect(h.get('Supported')).toBe('timer');
    expect([...h.entries()].map(([n]) => n)).toEqual(['Via', 'Via', 'Call-ID', 'Content-Length', 'Contact', 'Supported']);
  });

  it('every compact form of RFC 3261 and its extensions maps to its full name', () => {
    const compact: Record<string, string> = {
      a: 'Accept-Contact', b: 'Referred-By', c: 'Content-Type', d: 'Request-Disposition', e: 'Content-Encoding',
      f: 'From', i: 'Call-ID', j: 'Reject-Contact', k: 'Supported', l: 'Content-Length', m: 'Contact', n: 'Identity-Info',
      o: 'Event', r: 'Refer-To', s: 'Subject', t: 'To', u: 'Allow-Events', v: 'Via', x: 'Session-Expires', y: 'Identity',
    };
    for (const [short, full] of Object.entries(compact)) {
      const h = new SipHeaders([[short.toUpperCase(), 'value']]);
      expect(h.get(full), short).toBe('value');
      expect([...h.entries()][0]?.[0]).toBe(full);
    }
  });

  it('§7.3.1 splits comma lists only for list headers, respecting quotes and <>', () => {
    const h = new SipHeaders([
      ['Contact', '"Doe, John" <sip:a@b;x=1,2>;q=0.5, <sip:c@d>'],
      ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
      ['WWW-Authenticate', 'Digest realm="r", nonce="n"'],
      ['Allow', 'INVITE,ACK , BYE'],
      ['Require', ''],
      ['X-Unknown', 'a, b'],
    ]);
    expect(h.getAll('contact')).toEqual(['"Doe, John" <sip:a@b;x=1,2>;q=0.5', '<sip:c@d>']);
    expect(h.get('contact')).toBe('"Doe, John" <sip:a@b;x=1,2>;q=0.5');
    expect(h.getAll('date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(h.getAll('www-authenticate')).toEqual(['Digest realm="r", nonce="n"']);
    expect(h.getAll('allow')).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(h.getAll('require')).toEqual([]); // an empty list has no elements
    expect(h.has('require')).toBe(true);
    expect(h.getAll('x-unknown')).toEqual(['a, b']);
    expect(h.getLines('CONTACT')).toEqual(['"Doe, John" <sip:a@b;x=1,2>;q=0.5, <sip:c@d>']);
    expect(h.getLines('require')).toEqual(['']);
  });

  it('set replaces all values in place; append/prepend/delete; countLines', () => {
    const h = new SipHeaders([['X-A', '1'], ['Via', 'v1'], ['X-B', '2'], ['via', 'v2']]);
    h.prepend('Via', 'v0');
    expect(h.getAll('via')).toEqual(['v0', 'v1', 'v2']);
    expect(h.countLines('VIA')).toBe(3);
    h.set('Via', 'only');
    expect([...h.entries()]).toEqual([['X-A', '1'], ['Via', 'only'], ['X-B', '2']]);
    h.prepend('Route', '<sip:r>');
    expect([...h.entries()][0]).toEqual(['Route', '<sip:r>']);
    h.delete('x-a');
    expect(h.has('X-A')).toBe(false);
    h.set('New', 'x');
    expect([...h.entries()].at(-1)).toEqual(['New', 'x']);
    expect(h.size).toBe(4);
  });

  it('clone is independent of the original', () => {
    const a = new SipHeaders([['Via', 'v1']]);
    const b = a.clone();
    b.append('Via', 'v2');
    a.set('Via', 'changed');
    expect(b.getAll('via')).toEqual(['v1', 'v2']);
    expect(a.getAll('via')).toEqual(['changed']);
  });

  it('values set by code cannot inject header lines (CR/LF folded into spaces)', () => {
    const h = new SipHeaders();
    h.set('Subject', 'hello\r\nVia: SIP/2.0/UDP evil');
    h.append('X-Note', 'a\nb');
    expect(h.get('subject')).toBe('hello Via: SIP/2.0/UDP evil');
    expect(h.get('x-note')).toBe('a b');
    expect(h.has('via')).toBe(false);
  });

  it('keeps unknown header names as written', () => {
    const h = new SipHeaders([['X-Amzn-ConnectContactId', 'id']]);
    expect([...h.entries()]).toEqual([['X-Amzn-ConnectContactId', 'id']]);
    expect(h.get('x-amzn-connectcontactid')).toBe('id');
  });
});
