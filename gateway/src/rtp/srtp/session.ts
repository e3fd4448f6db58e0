import { ok } from '../../result.js';
import { AesCounterMode, writeSrtpIv } from './aes-cm.js';
import { SRTP_FAILURE, type SrtpResult } from './errors.js';
import { HmacSha1, tagMatches } from './hmac-sha1.js';
import { deriveSessionKeys, type SessionKeys } from './kdf.js';
import { assertKeys, type SrtpKeys } from './keys.js';
import { srtpProfileParams } from './profiles.js';
import { MAX_REPLAY_WINDOW, MIN_REPLAY_WINDOW, ReplayWindow } from './replay-window.js';
import { guessRoc, packetIndex } from './rtp-index.js';
import {
  RTCP_FIXED_HEADER,
  RTCP_SSRC_OFFSET,
  RTP_FIXED_HEADER,
  RTP_SEQ_OFFSET,
  RTP_SSRC_OFFSET,
  isVersion2,
  readUint32,
  rtpHeaderLength,
  writeUint32,
} from './rtp-header.js';

export interface SrtpSessionOptions {
  /** Our sending keys (the a=crypto we put in our SDP). */
  local: SrtpKeys;
  /** The peer's sending keys (the a=crypto we accepted from its SDP). */
  remote: SrtpKeys;
  /** Replay window, packets. Default 128; RFC 3711 §3.3.2 minimum 64. */
  replayWindow?: number;
}

/** Default replay window: 2.5 s of 20 ms audio, wide enough for any sane reordering. */
export const DEFAULT_REPLAY_WINDOW = 128;
/** SSRCs tracked per direction; beyond this the oldest is forgotten (bounded memory). */
export const MAX_SRTP_STREAMS = 64;

/** RFC 3711 §3.4: E flag and 31-bit SRTCP index share one word after the encrypted part. */
const SRTCP_E_FLAG = 0x80000000;
const SRTCP_INDEX_MASK = 0x7fffffff;
const SRTCP_INDEX_LENGTH = 4;

export interface SrtpCounters {
  rtpProtected: number;
  rtcpProtected: number;
  rtpUnprotected: number;
  rtcpUnprotected: number;
  short: number;
  malformed: number;
  auth: number;
  replay: number;
}

/** One direction's derived keys and reusable primitives. */
interface DirectionCrypto {
  rtpCipher: AesCounterMode;
  rtpSalt: Buffer;
  rtpAuth: HmacSha1;
  rtpTagLength: number;
  rtcpCipher: AesCounterMode;
  rtcpSalt: Buffer;
  rtcpAuth: HmacSha1;
  rtcpTagLength: number;
  mki: Buffer | undefined;
}

interface OutboundRtpStream {
  roc: number;
  highestSeq: number;
}
interface InboundRtpStream {
  roc: number;
  highestSeq: number;
  window: ReplayWindow;
}
interface OutboundRtcpStream {
  nextIndex: number;
}

function directionCrypto(keys: SrtpKeys): DirectionCrypto {
  const p = srtpProfileParams(keys.profile);
  const { rtp, rtcp } = deriveSessionKeys(keys);
  const half = (k: SessionKeys): [AesCounterMode, Buffer, HmacSha1] => [
    new AesCounterMode(k.encryptionKey),
    k.salt,
    new HmacSha1(k.authenticationKey),
  ];
  const [rtpCipher, rtpSalt, rtpAuth] = half(rtp);
  const [rtcpCipher, rtcpSalt, rtcpAuth] = half(rtcp);
  return {
    rtpCipher,
    rtpSalt,
    rtpAuth,
    rtpTagLength: p.rtpTagLength,
    rtcpCipher,
    rtcpSalt,
    rtcpAuth,
    rtcpTagLength: p.rtcpTagLength,
    mki: keys.mki,
  };
}

/** Map with a size cap: inserting past the cap forgets the oldest entry (insertion order). */
function capInsert<V>(map: Map<number, V>, key: number, value: V): V {
  if (map.size >= MAX_SRTP_STREAMS) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
  return value;
}

/**
 * SRTP/SRTCP (RFC 3711) for one media session keyed by SDES: AES-CM encryption, HMAC-SHA1
 * authentication, ROC tracking per SSRC (Appendix A), replay protection (§3.3.2).
 *
 * protect*() take our plaintext packets and return new Buffers; a packet we built wrong (not
 * version 2, header overruns) throws RangeError because that is a bug on our side.
 * unprotect*() never throw: every failure is a typed result, and state (ROC, highest sequence,
 * replay window) changes only after the packet authenticated.
 */
export class SrtpSession {
  readonly #local: DirectionCrypto;
  readonly #remote: DirectionCrypto;
  readonly #replayWindow: number;
  readonly #outRtp = new Map<number, OutboundRtpStream>();
  readonly #inRtp = new Map<number, InboundRtpStream>();
  readonly #outRtcp = new Map<number, OutboundRtcpStream>();
  readonly #inRtcp = new Map<number, ReplayWindow>();
  // Scratch, reused by every packet (the session is used from one thread).
  readonly #iv = new Uint8Array(16);
  readonly #roc = new Uint8Array(4);
  readonly #counters: SrtpCounters = {
    rtpProtected: 0,
    rtcpProtected: 0,
    rtpUnprotected: 0,
    rtcpUnprotected: 0,
    short: 0,
    malformed: 0,
    auth: 0,
    replay: 0,
  };

  constructor(opts: SrtpSessionOptions) {
    assertKeys(opts.local, 'local');
    assertKeys(opts.remote, 'remote');
    const window = opts.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    if (!Number.isInteger(window) || window < MIN_REPLAY_WINDOW || window > MAX_REPLAY_WINDOW) {
      throw new RangeError(`replayWindow ${window} not in ${MIN_REPLAY_WINDOW}..${MAX_REPLAY_WINDOW}`);
    }
    this.#replayWindow = window;
    this.#local = directionCrypto(opts.local);
    this.#remote = directionCrypto(opts.remote);
  }

  get counters(): Readonly<SrtpCounters> {
    return this.#counters;
  }

  /** RFC 3711 §3.3: encrypts the payload, appends [MKI] and the auth tag over header||payload||ROC. */
  protectRtp(packet: Uint8Array): Buffer {
    if (!isVersion2(packet)) throw new RangeError('protectRtp: not an RTP version 2 packet');
    const end = packet.length;
    const hdr = rtpHeaderLength(packet, end);
    if (hdr < 0) throw new RangeError('protectRtp: RTP header overruns the packet');
    const ssrc = readUint32(packet, RTP_SSRC_OFFSET);
    const seq = ((packet[RTP_SEQ_OFFSET] as number) << 8) | (packet[RTP_SEQ_OFFSET + 1] as number);

    const s = this.#outRtp.get(ssrc) ?? capInsert(this.#outRtp, ssrc, { roc: 0, highestSeq: seq });
    const v = guessRoc(s.roc, s.highestSeq, seq);
    if (v < 0) {
      // Only a sequence number that jumped back over half the space before the first wrap does
      // this; any ROC we picked would either reuse a keystream or be undecodable by the peer.
      throw new RangeError(`protectRtp: sequence ${seq} is before the start of SSRC ${ssrc}'s stream`);
    }
    if (v > s.roc) {
      s.roc = v;
      s.highestSeq = seq;
    } else if (v === s.roc && seq > s.highestSeq) {
      s.highestSeq = seq;
    }

    const c = this.#local;
    const mkiLength = c.mki?.length ?? 0;
    const out = Buffer.allocUnsafe(end + mkiLength + c.rtpTagLength);
    out.set(packet.subarray(0, hdr), 0);
    writeSrtpIv(this.#iv, c.rtpSalt, ssrc, packetIndex(v, seq));
    c.rtpCipher.xor(this.#iv, packet, hdr, out, hdr, end - hdr);
    writeUint32(this.#roc, 0, v);
    const mac = c.rtpAuth.digest(out.subarray(0, end), this.#roc);
    if (c.mki !== undefined) out.set(c.mki, end);
    mac.copy(out, end + mkiLength, 0, c.rtpTagLength);
    this.#counters.rtpProtected++;
    return out;
  }

  /** RFC 3711 §3.3: checks replay, then the tag, then decrypts; updates ROC/replay state last. */
  unprotectRtp(packet: Uint8Array): SrtpResult {
    const c = this.#remote;
    const mkiLength = c.mki?.length ?? 0;
    const authEnd = packet.length - mkiLength - c.rtpTagLength;
    if (authEnd < RTP_FIXED_HEADER) return this.#fail('short');
    if (!isVersion2(packet)) return this.#fail('malformed');
    const hdr = rtpHeaderLength(packet, authEnd);
    if (hdr < 0) return this.#fail('malformed');
    if (c.mki !== undefined && !c.mki.equals(packet.subarray(authEnd, authEnd + mkiLength))) return this.#fail('auth');

    const ssrc = readUint32(packet, RTP_SSRC_OFFSET);
    const seq = ((packet[RTP_SEQ_OFFSET] as number) << 8) | (packet[RTP_SEQ_OFFSET + 1] as number);
    const s = this.#inRtp.get(ssrc);
    // A new SSRC starts with ROC 0 (RFC 3711 §3.3.1); its context is created only once authenticated.
    const v = s === undefined ? 0 : guessRoc(s.roc, s.highestSeq, seq);
    if (v < 0) return this.#fail('replay');
    const index = packetIndex(v, seq);
    if (s !== undefined && s.window.check(index) !== 'fresh') return this.#fail('replay');

    writeUint32(this.#roc, 0, v);
    const mac = c.rtpAuth.digest(packet.subarray(0, authEnd), this.#roc);
    if (!tagMatches(mac, packet.subarray(authEnd + mkiLength))) return this.#fail('auth');

    const out = Buffer.allocUnsafe(authEnd);
    out.set(packet.subarray(0, hdr), 0);
    writeSrtpIv(this.#iv, c.rtpSalt, ssrc, index);
    c.rtpCipher.xor(this.#iv, packet, hdr, out, hdr, authEnd - hdr);

    const stream =
      s ?? capInsert(this.#inRtp, ssrc, { roc: v, highestSeq: seq, window: new ReplayWindow(this.#replayWindow) });
    if (v > stream.roc) {
      stream.roc = v;
      stream.highestSeq = seq;
    } else if (v === stream.roc && seq > stream.highestSeq) {
      stream.highestSeq = seq;
    }
    stream.window.accept(index);
    this.#counters.rtpUnprotected++;
    return ok(out);
  }

  /**
   * RFC 3711 §3.4: encrypts everything after the first 8 bytes of the (compound) packet, appends
   * E=1 | 31-bit index, [MKI] and the 80-bit tag over header||encrypted||E|index.
   */
  protectRtcp(packet: Uint8Array): Buffer {
    if (!isVersion2(packet)) throw new RangeError('protectRtcp: not an RTCP version 2 packet');
    const end = packet.length;
    if (end < RTCP_FIXED_HEADER) throw new RangeError('protectRtcp: shorter than the RTCP header');
    const ssrc = readUint32(packet, RTCP_SSRC_OFFSET);
    const s = this.#outRtcp.get(ssrc) ?? capInsert(this.#outRtcp, ssrc, { nextIndex: 0 });
    // §3.4: the index starts at 0 and is incremented after each packet, modulo 2^31.
    const index = s.nextIndex;
    s.nextIndex = (index + 1) & SRTCP_INDEX_MASK;

    const c = this.#local;
    const mkiLength = c.mki?.length ?? 0;
    const authEnd = end + SRTCP_INDEX_LENGTH;
    const out = Buffer.allocUnsafe(authEnd + mkiLength + c.rtcpTagLength);
    out.set(packet.subarray(0, RTCP_FIXED_HEADER), 0);
    writeSrtpIv(this.#iv, c.rtcpSalt, ssrc, index);
    c.rtcpCipher.xor(this.#iv, packet, RTCP_FIXED_HEADER, out, RTCP_FIXED_HEADER, end - RTCP_FIXED_HEADER);
    writeUint32(out, end, (SRTCP_E_FLAG | index) >>> 0);
    const mac = c.rtcpAuth.digest(out.subarray(0, authEnd));
    if (c.mki !== undefined) out.set(c.mki, authEnd);
    mac.copy(out, authEnd + mkiLength, 0, c.rtcpTagLength);
    this.#counters.rtcpProtected++;
    return out;
  }

  /** RFC 3711 §3.4: accepts E=0 (unencrypted, still authenticated) as well as E=1. */
  unprotectRtcp(packet: Uint8Array): SrtpResult {
    const c = this.#remote;
    const mkiLength = c.mki?.length ?? 0;
    const authEnd = packet.length - mkiLength - c.rtcpTagLength;
    const indexAt = authEnd - SRTCP_INDEX_LENGTH;
    if (indexAt < RTCP_FIXED_HEADER) return this.#fail('short');
    if (!isVersion2(packet)) return this.#fail('malformed');
    if (c.mki !== undefined && !c.mki.equals(packet.subarray(authEnd, authEnd + mkiLength))) return this.#fail('auth');

    const ssrc = readUint32(packet, RTCP_SSRC_OFFSET);
    const word = readUint32(packet, indexAt);
    const encrypted = (word & SRTCP_E_FLAG) !== 0;
    const index = word & SRTCP_INDEX_MASK;
    const window = this.#inRtcp.get(ssrc);
    if (window !== undefined && window.check(index) !== 'fresh') return this.#fail('replay');

    const mac = c.rtcpAuth.digest(packet.subarray(0, authEnd));
    if (!tagMatches(mac, packet.subarray(authEnd + mkiLength))) return this.#fail('auth');

    const out = Buffer.allocUnsafe(indexAt);
    out.set(packet.subarray(0, encrypted ? RTCP_FIXED_HEADER : indexAt), 0);
    if (encrypted) {
      writeSrtpIv(this.#iv, c.rtcpSalt, ssrc, index);
      c.rtcpCipher.xor(this.#iv, packet, RTCP_FIXED_HEADER, out, RTCP_FIXED_HEADER, indexAt - RTCP_FIXED_HEADER);
    }
    (window ?? capInsert(this.#inRtcp, ssrc, new ReplayWindow(this.#replayWindow))).accept(index);
    this.#counters.rtcpUnprotected++;
    return ok(out);
  }

  #fail(error: keyof typeof SRTP_FAILURE): SrtpResult {
    this.#counters[error]++;
    return SRTP_FAILURE[error];
  }
}
