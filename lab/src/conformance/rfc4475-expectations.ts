/**
 * What our gateway (a UAS: not a proxy, not a registrar) owes each RFC 4475 torture message and
 * each RFC 5118 IPv6 message, in machine-readable form. Shared by the message-layer conformance
 * test (gateway/test/sip/message/rfc4475.test.ts, which checks `messageLayer`) and the
 * over-the-wire run against a live gateway (which checks `expect`).
 *
 * Files live in `lab/corpora/rfc4475/` (see its INDEX.md); `file` is relative to
 * that folder. Every .dat is sent as exactly one UDP datagram, unmodified. The RFC 5118 messages
 * are used in their CRLF-normalised `.wire` form.
 *
 * Where the RFC leaves a choice ("400 or accept liberally"), `expect` lists what this gateway
 * does and `note` names the alternative the RFC also allows.
 */

/**
 * The stateless message-layer outcome: `{ parseError }` — parseMessage fails with that status;
 * `{ check }` — it parses as a request and checkRequest returns that status ('pass' = none);
 * 'response' — it parses as a response (a UAS with no matching transaction drops it).
 */
export type MessageLayerOutcome = { parseError: number } | { check: number | 'pass' } | 'response';

export interface Rfc4475Expectation {
  file: string;
  /** Final status the UAS sends over the wire, or 'drop' (no response at all). */
  expect: { status: number[] } | 'drop';
  note: string;
  /** RFC section of the message. */
  section: string;
  messageLayer: MessageLayerOutcome;
}

export const RFC4475_EXPECTATIONS: readonly Rfc4475Expectation[] = [
  // §3.1.1 Valid messages
  { file: 'wsinv.dat', section: 'RFC 4475 §3.1.1.1', expect: { status: [481] }, messageLayer: { check: 'pass' },
    note: 'INVITE with a To tag for a dialog we do not have: 481 (RFC 3261 §12.2.2), never 400. Folding, compact forms, leading zeros.' },
  { file: 'intmeth.dat', section: 'RFC 4475 §3.1.1.2', expect: { status: [501] }, messageLayer: { check: 501 },
    note: 'Unknown method made of every token character: 501 with Allow.' },
  { file: 'esc01.dat', section: 'RFC 4475 §3.1.1.3', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'INVITE with %-escapes in URIs; offer PCMU (0) + 12 + video: answered with PCMU, video rejected.' },
  { file: 'escnull.dat', section: 'RFC 4475 §3.1.1.4', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with %00 in URIs; we are not a registrar: 405 with Allow.' },
  { file: 'esc02.dat', section: 'RFC 4475 §3.1.1.5', expect: { status: [501] }, messageLayer: { check: 501 },
    note: 'Method RE%47IST%45R is not REGISTER (no unescaping of methods): 501.' },
  { file: 'lwsdisp.dat', section: 'RFC 4475 §3.1.1.6', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'OPTIONS with a display name directly followed by <: 200.' },
  { file: 'longreq.dat', section: 'RFC 4475 §3.1.1.7', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'INVITE with 34 Via values and very long header values; PCMU offered: 200.' },
  { file: 'dblreq.dat', section: 'RFC 4475 §3.1.1.8', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER followed by spurious octets that look like an INVITE: exactly one response (405), the INVITE is ignored.' },
  { file: 'semiuri.dat', section: 'RFC 4475 §3.1.1.9', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'OPTIONS whose Request-URI user part contains ";par=u%40example.net": 200.' },
  { file: 'transports.dat', section: 'RFC 4475 §3.1.1.10', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'OPTIONS with SCTP/TLS/UNKNOWN/TCP Via transports: 200 sent to the top (UDP) Via.' },
  { file: 'mpart01.dat', section: 'RFC 4475 §3.1.1.11', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'MESSAGE with a binary multipart body (NUL octets) framed by Content-Length: 405 (MESSAGE not allowed); 501/415 also acceptable.' },
  { file: 'unreason.dat', section: 'RFC 4475 §3.1.1.12', expect: 'drop', messageLayer: 'response',
    note: '200 response with a UTF-8 reason phrase and no matching transaction: dropped.' },
  { file: 'noreason.dat', section: 'RFC 4475 §3.1.1.13', expect: 'drop', messageLayer: 'response',
    note: '100 response with an empty reason phrase and no matching transaction: dropped.' },

  // §3.1.2 Invalid messages
  { file: 'badinv01.dat', section: 'RFC 4475 §3.1.2.1', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Via "192.0.2.15;;,;,," and Contact ";;;;": 400.' },
  { file: 'clerr.dat', section: 'RFC 4475 §3.1.2.2', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Content-Length 9999 larger than the datagram: 400 on UDP (on TCP the framer would wait for the rest).' },
  { file: 'ncl.dat', section: 'RFC 4475 §3.1.2.3', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Content-Length -999: 400 on UDP; fatal (close) on TCP.' },
  { file: 'scalar02.dat', section: 'RFC 4475 §3.1.2.4', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'CSeq 36893488147419103232 > 2^32-1: 400 (malformed CSeq); Max-Forwards 300 and Expires overlarge too.' },
  { file: 'scalarlg.dat', section: 'RFC 4475 §3.1.2.5', expect: 'drop', messageLayer: { parseError: 400 },
    note: 'Response with overlarge CSeq and Retry-After: unparseable response, dropped.' },
  { file: 'quotbal.dat', section: 'RFC 4475 §3.1.2.6', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Unterminated quoted display name in To: 400.' },
  { file: 'ltgtruri.dat', section: 'RFC 4475 §3.1.2.7', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Request-URI enclosed in <>: 400.' },
  { file: 'lwsruri.dat', section: 'RFC 4475 §3.1.2.8', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Request-URI with embedded LWS ("; lr"): 400.' },
  { file: 'lwsstart.dat', section: 'RFC 4475 §3.1.2.9', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'Multiple SP between Request-Line elements: accepted liberally (RFC also allows 400). PCMU offer: 200.' },
  { file: 'trws.dat', section: 'RFC 4475 §3.1.2.10', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'Trailing SP after SIP/2.0: accepted liberally (RFC also allows 400). OPTIONS: 200.' },
  { file: 'escruri.dat', section: 'RFC 4475 §3.1.2.11', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'Request-URI with ?Route= header: the URI headers are ignored by a UAS (RFC also allows 400). INVITE: 200.' },
  { file: 'baddate.dat', section: 'RFC 4475 §3.1.2.12', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'Date with "EST" zone: Date is not interpreted, INVITE processed: 200.' },
  { file: 'regbadct.dat', section: 'RFC 4475 §3.1.2.13', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Contact URI with ?Route= not enclosed in <>: 400 (a non-registrar could also answer 405).' },
  { file: 'badaspec.dat', section: 'RFC 4475 §3.1.2.14', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Whitespace inside <> in To: 400 (a liberal parser could answer 200).' },
  { file: 'baddn.dat', section: 'RFC 4475 §3.1.2.15', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Unquoted display names with commas; the RFC file has no empty line after the headers: 400.' },
  { file: 'badvers.dat', section: 'RFC 4475 §3.1.2.16', expect: { status: [505] }, messageLayer: { check: 505 },
    note: 'SIP/7.0: 505 Version Not Supported.' },
  { file: 'mismatch01.dat', section: 'RFC 4475 §3.1.2.17', expect: { status: [400] }, messageLayer: { check: 400 },
    note: 'OPTIONS with CSeq method INVITE: 400.' },
  { file: 'mismatch02.dat', section: 'RFC 4475 §3.1.2.18', expect: { status: [501] }, messageLayer: { check: 501 },
    note: 'Unknown method NEWMETHOD with CSeq INVITE: 501 (RFC also allows 400).' },
  { file: 'bigcode.dat', section: 'RFC 4475 §3.1.2.19', expect: 'drop', messageLayer: { parseError: 400 },
    note: 'Status code 4294967301: unparseable response (no integer wrap-around), dropped.' },

  // §3.2 Transaction layer
  { file: 'badbranch.dat', section: 'RFC 4475 §3.2.1', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'branch=z9hG4bK alone: handled with RFC 2543-style matching, OPTIONS 200 (RFC also allows 400).' },

  // §3.3 Application-layer semantics
  { file: 'insuf.dat', section: 'RFC 4475 §3.3.1', expect: { status: [400] }, messageLayer: { check: 400 },
    note: 'No Call-ID, From, To, Max-Forwards: 400 (reply built from what is there), no crash.' },
  { file: 'unkscm.dat', section: 'RFC 4475 §3.3.2', expect: { status: [416] }, messageLayer: { check: 416 },
    note: 'Request-URI scheme nobodyKnowsThisScheme: 416.' },
  { file: 'novelsc.dat', section: 'RFC 4475 §3.3.3', expect: { status: [416] }, messageLayer: { check: 416 },
    note: 'Request-URI scheme soap.beep: 416.' },
  { file: 'unksm2.dat', section: 'RFC 4475 §3.3.4', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with isbn:/http:/name: URIs in To/From/Contact: parses; non-registrar 405.' },
  { file: 'bext01.dat', section: 'RFC 4475 §3.3.5', expect: { status: [420] }, messageLayer: { check: 420 },
    note: 'Require with unknown option tags: 420 with Unsupported listing both; Proxy-Require ignored by a UAS.' },
  { file: 'invut.dat', section: 'RFC 4475 §3.3.6', expect: { status: [415] }, messageLayer: { check: 415 },
    note: 'Content-Type application/unknownformat: 415 with Accept: application/sdp.' },
  { file: 'regaut01.dat', section: 'RFC 4475 §3.3.7', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with an unknown Authorization scheme: non-registrar 405 with Allow.' },
  { file: 'multi01.dat', section: 'RFC 4475 §3.3.8', expect: { status: [400] }, messageLayer: { check: 400 },
    note: 'Two From, To, Call-ID, CSeq and Max-Forwards: 400.' },
  { file: 'mcl01.dat', section: 'RFC 4475 §3.3.9', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Two different Content-Length values: 400 on UDP; fatal (close) on TCP.' },
  { file: 'bcast.dat', section: 'RFC 4475 §3.3.10', expect: 'drop', messageLayer: 'response',
    note: '200 OK with a 255.255.255.255 Via and no matching transaction: dropped; never sent to the broadcast address.' },
  { file: 'zeromf.dat', section: 'RFC 4475 §3.3.11', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'Max-Forwards 0 at the UAS: processed normally (not 483), OPTIONS 200.' },
  { file: 'cparam01.dat', section: 'RFC 4475 §3.3.12', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with a Contact header parameter: non-registrar 405.' },
  { file: 'cparam02.dat', section: 'RFC 4475 §3.3.13', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with a Contact URI parameter: non-registrar 405.' },
  { file: 'regescrt.dat', section: 'RFC 4475 §3.3.14', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER with an escaped header in the Contact URI: non-registrar 405.' },
  { file: 'sdp01.dat', section: 'RFC 4475 §3.3.15', expect: { status: [406] }, messageLayer: { check: 406 },
    note: 'INVITE whose Accept (text/nobodyKnowsThis) excludes application/sdp: 406 (RFC also allows 400).' },

  // §3.4 Backward compatibility
  { file: 'inv2543.dat', section: 'RFC 4475 §3.4.1', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'RFC 2543 INVITE: no branch, no From tag, no Content-Length (body = rest of datagram), no Max-Forwards. PCMU offer: 200.' },

  // In the archive, not described by the RFC
  { file: 'test.dat', section: 'RFC 4475 archive (undocumented)', expect: 'drop', messageLayer: { parseError: 400 },
    note: 'Request-Line without SIP-Version and a header line without colon; no Via, so no reply can be routed: dropped.' },

  // RFC 5118 (IPv6), CRLF-normalised .wire copies
  { file: 'rfc5118-wire/ipv6-good.wire', section: 'RFC 5118 §4.1', expect: { status: [405] }, messageLayer: { check: 405 },
    note: 'REGISTER sip:[2001:db8::10]: parses; non-registrar 405.' },
  { file: 'rfc5118-wire/ipv6-bad.wire', section: 'RFC 5118 §4.2', expect: { status: [400] }, messageLayer: { parseError: 400 },
    note: 'Request-URI sip:2001:db8::10 without brackets: 400.' },
  { file: 'rfc5118-wire/port-ambiguous.wire', section: 'RFC 5118 §4.3', expect: { status: [405] }, messageLayer: { check: 405 },
    note: '[2001:db8::10:5070] is an address without port: parses; REGISTER 405.' },
  { file: 'rfc5118-wire/port-unambiguous.wire', section: 'RFC 5118 §4.4', expect: { status: [405] }, messageLayer: { check: 405 },
    note: '[2001:db8::10]:5070: parses with port 5070; REGISTER 405.' },
  { file: 'rfc5118-wire/via-received-param-with-delim.wire', section: 'RFC 5118 §4.5', expect: { status: [481] }, messageLayer: { check: 'pass' },
    note: 'received=[2001:db8::9:255] tolerated; BYE for an unknown dialog: 481.' },
  { file: 'rfc5118-wire/via-received-param-no-delim.wire', section: 'RFC 5118 §4.5', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'received=2001:db8::9:255 (grammar-correct): OPTIONS 200.' },
  { file: 'rfc5118-wire/ipv6-in-sdp.wire', section: 'RFC 5118 §4.6', expect: { status: [488] }, messageLayer: { check: 'pass' },
    note: 'INVITE offering G.726-32 and H.263 over IP6: no common codec for a G.711 gateway, 488.' },
  { file: 'rfc5118-wire/mult-ip-in-header.wire', section: 'RFC 5118 §4.7', expect: { status: [481] }, messageLayer: { check: 'pass' },
    note: 'Mixed IPv4/IPv6 Vias; BYE for an unknown dialog: 481.' },
  { file: 'rfc5118-wire/mult-ip-in-sdp.wire', section: 'RFC 5118 §4.8', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: 'INVITE with PCMU audio (accepted) and video (rejected with port 0): 200.' },
  { file: 'rfc5118-wire/ipv4-mapped-ipv6.wire', section: 'RFC 5118 §4.9', expect: { status: [488] }, messageLayer: { check: 'pass' },
    note: 'IPv4-mapped IPv6 addresses parse; the offer is G.726-32 + H.263 only: 488.' },
  { file: 'rfc5118-wire/ipv6-bug-abnf-3-colons.wire', section: 'RFC 5118 §4.10', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: '[2001:db8:::192.0.2.1] (RFC 3261 ABNF bug) tolerated: OPTIONS 200.' },
  { file: 'rfc5118-wire/ipv6-correct-abnf-2-colons.wire', section: 'RFC 5118 §4.10', expect: { status: [200] }, messageLayer: { check: 'pass' },
    note: '[2001:db8::192.0.2.1]: OPTIONS 200.' },
];
