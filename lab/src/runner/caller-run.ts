import type { RtpRecord } from '../netem/media-relay.js';
import type { SipRecord } from '../netem/sip-alg.js';

/** What a caller driver hands back: its own account, plus wire records when it saw them itself. */
export interface CallerRun {
  summary: {
    /** 0 when the caller's script ran to its end as expected. */
    exitCode: number | null;
    /** Why it did not (last lines of the tool's output). */
    detail: string;
    /** G.711 payload of the audio packets the caller sent (for byte-for-byte checks). */
    sentPayload: Buffer;
    sentPackets: number;
    /** Negotiated SRTP suite, when the caller knows it. */
    srtpProfile?: string;
    /** What the caller itself recorded of the call (8 kHz WAV), when it records. */
    heardWav?: string;
  };
  /** SIP and RTP as the caller saw them (TLS/SRTP calls the tap cannot see), on the lab time base. */
  sip: SipRecord[];
  rtp: RtpRecord[];
}
