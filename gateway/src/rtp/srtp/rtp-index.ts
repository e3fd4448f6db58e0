/**
 * RFC 3711 §3.3.1 and Appendix A: estimate the rollover counter of a received sequence number
 * from the current ROC and the highest sequence number s_l received so far. Returns v, the ROC
 * the packet most likely belongs to (ROC-1, ROC or ROC+1); its index is v * 2^16 + seq. v is -1
 * for a packet "before" a stream whose ROC is still 0; callers treat that as too old.
 */
const SEQ_HALF = 0x8000;

export function guessRoc(roc: number, highestSeq: number, seq: number): number {
  if (highestSeq < SEQ_HALF) {
    return seq - highestSeq > SEQ_HALF ? roc - 1 : roc;
  }
  return highestSeq - SEQ_HALF > seq ? roc + 1 : roc;
}

/** SRTP packet index i = 2^16 * ROC + SEQ (48 bits, exact in a double). */
export function packetIndex(roc: number, seq: number): number {
  return roc * 0x10000 + seq;
}
