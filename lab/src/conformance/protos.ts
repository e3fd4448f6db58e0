/**
 * PROTOS c07-sip (OUSPG) test cases: loading and placeholder substitution.
 *
 * Each case file is `<len> <INVITE PDU of len bytes><len2> <teardown PDU of len2 bytes>`; the
 * PDUs contain placeholders (`<To>`, `<From>`, `<From-Address>`, `<From-IP>`, `<Local-Port>`,
 * `<Branch-ID>`, `<Call-ID>`, `<CSeq>`, `<Teardown-Method>`, `<Content-Length>`) that are filled
 * in before sending; `<Content-Length>` last, as the byte length of the body after the empty line.
 * See `lab/corpora/protos-c07-sip/README.md`. PDUs are arbitrary bytes (overflows,
 * format strings, NULs), so everything here works on bytes, never on decoded text.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface ProtosCase {
  /** Case number, 0 … 4526 (0 is the valid reference INVITE). */
  index: number;
  /** PROTOS test group, e.g. 'sip-via-host'. */
  group: string;
  invite: Buffer;
  teardown: Buffer;
}

export interface ProtosGroup {
  name: string;
  first: number;
  count: number;
}

/** The 54 groups (from the corpus' groups.json, itself from rtckit/php-sip's ProtosTest.php). */
export const PROTOS_GROUPS: readonly ProtosGroup[] = (
  [
    ['valid', 0, 1], ['sip-method', 1, 193], ['sip-request-uri', 194, 61], ['sip-version', 255, 75],
    ['sip-via-host', 330, 106], ['sip-via-hostcolon', 436, 16], ['sip-via-hostport', 452, 46],
    ['sip-via-version', 498, 75], ['sip-via-tag', 573, 57], ['sip-from-displayname', 630, 193],
    ['sip-from-tag', 823, 57], ['sip-from-colon', 880, 16], ['sip-from-uri', 896, 61],
    ['sip-contact-displayname', 957, 193], ['sip-contact-uri', 1150, 61], ['sip-contact-left-paranthesis', 1211, 16],
    ['sip-contact-right-paranthesis', 1227, 16], ['sip-to', 1243, 193], ['sip-to-left-paranthesis', 1436, 16],
    ['sip-to-right-paranthesis', 1452, 16], ['sip-call-id-value', 1468, 193], ['sip-call-id-at', 1661, 16],
    ['sip-call-id-ip', 1677, 106], ['sip-expires', 1783, 46], ['sip-max-forwards', 1829, 46],
    ['sip-cseq-integer', 1875, 46], ['sip-cseq-string', 1921, 193], ['sip-content-type', 2114, 247],
    ['sip-content-length', 2361, 46], ['sip-request-crlf', 2407, 10], ['crlf-request', 2417, 10],
    ['sdp-attribute-crlf', 2427, 10], ['sdp-proto-v-identifier', 2437, 193], ['sdp-proto-v-equal', 2630, 16],
    ['sdp-proto-v-integer', 2646, 46], ['sdp-origin-username', 2692, 193], ['sdp-origin-sessionid', 2885, 46],
    ['sdp-origin-networktype', 2931, 193], ['sdp-origin-ip', 3124, 106], ['sdp-session', 3230, 193],
    ['sdp-connection-networktype', 3423, 188], ['sdp-connection-ip', 3611, 106], ['sdp-time-start', 3717, 46],
    ['sdp-time-stop', 3763, 1], ['sdp-media-media', 3764, 193], ['sdp-media-port', 3957, 46],
    ['sdp-media-transport', 4003, 118], ['sdp-media-type', 4121, 46], ['sdp-attribute-rtpmap', 4167, 118],
    ['sdp-attribute-colon', 4285, 16], ['sdp-attribute-payloadtype', 4301, 46],
    ['sdp-attribute-encodingname', 4347, 118], ['sdp-attribute-slash', 4465, 16], ['sdp-attribute-clockrate', 4481, 46],
  ] as const
).map(([name, first, count]) => ({ name, first, count }));

/** Total number of cases in the suite. */
export const PROTOS_CASE_COUNT = 4527;

export function protosGroupOf(index: number): string | undefined {
  return PROTOS_GROUPS.find((g) => index >= g.first && index < g.first + g.count)?.name;
}

/**
 * Unpacks `protos-c07-sip-cases.tar.gz` into `dest` (created if needed) with the system tar and
 * returns the directory holding the case files.
 */
export async function extractProtosArchive(tarGz: string, dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  await promisify(execFile)('tar', ['xzf', tarGz, '-C', dest]);
  return join(dest, 'cases');
}

/**
 * Yields every case in `dir` (a directory of `NNNNNNN` files, or one holding `cases/`) in index
 * order. A file that does not follow the case format is a corrupted fixture: it throws.
 */
export async function* loadProtosCases(dir: string): AsyncIterable<ProtosCase> {
  const casesDir = existsSync(join(dir, 'cases')) ? join(dir, 'cases') : dir;
  const names = (await readdir(casesDir)).filter((n) => /^[0-9]{7}$/.test(n)).sort();
  for (const name of names) {
    const index = Number(name);
    const bytes = await readFile(join(casesDir, name));
    const split = splitCase(bytes);
    if (split === undefined) throw new Error(`PROTOS case ${name}: not "<len> <pdu><len> <pdu>"`);
    yield { index, group: protosGroupOf(index) ?? 'unknown', ...split };
  }
}

/** Splits one case file into its two length-prefixed PDUs. */
export function splitCase(bytes: Buffer): { invite: Buffer; teardown: Buffer } | undefined {
  const first = readLengthPrefixed(bytes, 0);
  if (first === undefined) return undefined;
  const second = readLengthPrefixed(bytes, first.end);
  if (second === undefined || second.end !== bytes.length) return undefined;
  return { invite: first.pdu, teardown: second.pdu };
}

function readLengthPrefixed(bytes: Buffer, from: number): { pdu: Buffer; end: number } | undefined {
  const space = bytes.indexOf(0x20, from);
  if (space <= from || space - from > 9) return undefined;
  const digits = bytes.toString('latin1', from, space);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  const len = Number(digits);
  const start = space + 1;
  if (start + len > bytes.length) return undefined;
  return { pdu: bytes.subarray(start, start + len), end: start + len };
}

/** Values for every placeholder except `<Content-Length>`, which is computed. */
export interface ProtosValues {
  /** `<To>`: user@host[:port] of the system under test, e.g. `gw@127.0.0.1:5060`. */
  to: string;
  /** `<From>`: user@host of the test caller, e.g. `protos@127.0.0.1`. */
  from: string;
  /** `<From-Address>`: caller host (used in Via sent-by, Call-ID, SDP origin). */
  fromAddress: string;
  /** `<From-IP>`: caller IP address for SDP c=. */
  fromIp: string;
  /** `<Local-Port>`: caller's SIP port. */
  localPort: number;
  /** `<Branch-ID>`: appended to `z9hG4bK00000` by the PDU itself; unique per case. */
  branchId: string;
  /** `<Call-ID>`: local part of the Call-ID; unique per case. */
  callId: string;
  /** `<CSeq>`: sequence number. */
  cseq: number;
  /** `<Teardown-Method>`: the README recommends CANCEL. */
  teardownMethod: string;
}

/**
 * Replaces the placeholders of one PDU, bytes in, bytes out (arbitrary octets elsewhere are left
 * untouched), then `<Content-Length>` with the byte length of the body after the first empty line
 * (0 when there is none).
 */
export function fillPlaceholders(pdu: Buffer, values: ProtosValues): Buffer {
  // latin1 maps each byte to one UTF-16 unit and back, so the round trip is byte-exact.
  const ascii = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
  const table: Array<[string, string]> = [
    ['<To>', values.to],
    ['<From>', values.from],
    ['<From-Address>', values.fromAddress],
    ['<From-IP>', values.fromIp],
    ['<Local-Port>', String(values.localPort)],
    ['<Branch-ID>', values.branchId],
    ['<Call-ID>', values.callId],
    ['<CSeq>', String(values.cseq)],
    ['<Teardown-Method>', values.teardownMethod],
  ];
  let text = pdu.toString('latin1');
  for (const [placeholder, value] of table) text = text.split(placeholder).join(ascii(value));
  const blank = text.indexOf('\r\n\r\n');
  const withoutLength = Buffer.from(text, 'latin1');
  if (!text.includes('<Content-Length>')) return withoutLength;
  // The placeholder sits in the header section, so replacing it does not move the body.
  const bodyLength = blank < 0 ? 0 : withoutLength.length - (blank + 4);
  return Buffer.from(text.split('<Content-Length>').join(String(bodyLength)), 'latin1');
}
