/**
 * Message framing on TCP/TLS (RFC 3261 §18.3): a byte stream carries messages back to back, each
 * delimited by its Content-Length, which is therefore mandatory. Bytes arrive in arbitrary
 * chunks: a message may span many reads and one read may hold many messages. CRLFs between
 * messages are keep-alives (RFC 3261 §7.5; RFC 5626 §3.5.1 "ping" = CRLFCRLF, "pong" = CRLF).
 *
 * Framing errors (a malformed or repeated Content-Length, a message over maxSize) are fatal:
 * nothing after them can be delimited, so the result carries `fatal: true` and the framer ignores
 * further input. A missing Content-Length is refused with a non-fatal 400 and read as "no body".
 */
import { err } from '../../result.js';
import { SipErrorCode, type SipErrorCodeValue } from './errors.js';
import { contentLengthOf, findHeaderEnd, rescanPoint, skipLeadingNewlines } from './framing.js';
import { DEFAULT_MAX_MESSAGE_SIZE, errorFor, finishMessage, parseHead, type ParsedHead } from './parse.js';
import type { ParseResult } from './types.js';

export interface StreamFramerOptions {
  /** Largest message accepted (headers + body), bytes; default 64 KiB. */
  maxSize?: number;
  /**
   * Called for each CRLFCRLF keep-alive "ping" seen between messages; RFC 5626 §4.4.1 requires
   * the server to answer with a single CRLF "pong".
   */
  onPing?: () => void;
}

const INITIAL_CAPACITY = 4096;

interface PendingFrame {
  head: ParsedHead;
  bodyOffset: number;
  bodyLength: number;
  /** A non-fatal framing problem to report once the message is consumed. */
  error?: { code: SipErrorCodeValue; what: string };
}

export class StreamFramer {
  readonly #maxSize: number;
  readonly #onPing: (() => void) | undefined;
  /**
   * Pending bytes live in #store[#start, #end); grown by doubling, compacted when drained. Memory of
   * its own, not a slice of Node's shared Buffer pool, which it would keep alive for the connection's life.
   */
  #store = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  #start = 0;
  #end = 0;
  /** Where the search for the end of the current header section resumes. */
  #scanFrom = 0;
  /** LF octets seen between messages: two (CRLFCRLF) make a ping. */
  #newlines = 0;
  #dead = false;
  /** Pings seen during the current push, reported when it ends. */
  #pings = 0;
  /** A header section already framed whose body is still arriving (offsets relative to #start). */
  #pending: PendingFrame | undefined;

  constructor(opts?: StreamFramerOptions) {
    this.#maxSize = opts?.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#onPing = opts?.onPing;
  }

  /**
   * True while part of a message is held: its first bytes arrived, its last not yet (keep-alive
   * CRLFs between messages do not count). The transport's message deadline runs while it is true.
   */
  get midMessage(): boolean {
    return this.#pending !== undefined || this.#start < this.#end;
  }

  /** Feeds one read; returns every message completed by it, in order. */
  push(chunk: Buffer): ParseResult[] {
    if (this.#dead || chunk.length === 0) return [];
    this.#append(chunk);
    const out: ParseResult[] = [];
    // Each turn either consumes a message or returns for more input: bounded by the bytes held.
    while (!this.#dead) {
      const r = this.#next();
      if (r === undefined) break;
      out.push(r);
    }
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
      this.#scanFrom = 0;
    }
    // Callbacks run last, so one that writes to the socket (or even pushes) sees a settled framer.
    const pings = this.#pings;
    this.#pings = 0;
    for (let i = 0; i < pings; i++) this.#onPing?.();
    return out;
  }

  #next(): ParseResult | undefined {
    if (this.#pending === undefined) {
      this.#skipKeepAlives();
      if (this.#start === this.#end) return undefined;
      const found = this.#frameHead();
      if (found === undefined || 'ok' in found) return found;
      this.#pending = found;
    }
    // The header section is known; wait until the whole body has arrived.
    const p = this.#pending;
    if (this.#end - this.#start < p.bodyOffset + p.bodyLength) return undefined;
    const bodyStart = this.#start + p.bodyOffset;
    const result = finishMessage(p.head, this.#store.subarray(bodyStart, bodyStart + p.bodyLength), p.error);
    this.#start = bodyStart + p.bodyLength;
    this.#scanFrom = this.#start;
    this.#pending = undefined;
    this.#newlines = 0;
    return result;
  }

  /**
   * Looks for a complete header section at #start and decides the body length. Returns undefined
   * when more input is needed, a fatal result when framing is broken, else the pending frame.
   */
  #frameHead(): PendingFrame | ParseResult | undefined {
    const from = this.#start;
    const end = findHeaderEnd(this.#store, from, this.#end, this.#scanFrom);
    if (end === undefined) {
      this.#scanFrom = rescanPoint(from, this.#end);
      if (this.#end - from > this.#maxSize) return this.#fatalTooLarge(from, this.#end);
      return undefined;
    }
    const bodyOffset = end.bodyStart - from;
    if (bodyOffset > this.#maxSize) return this.#fatalTooLarge(from, end.headerEnd);
    const head = parseHead(this.#store.toString('utf8', from, end.headerEnd));
    const cl = contentLengthOf(head.lines);
    switch (cl.kind) {
      case 'absent':
        // Required on streams (RFC 3261 §18.3), so the message is refused; but with no length the
        // only reading that keeps the stream usable is "no body" (a body-less request from a
        // sloppy peer), and a wrong guess only produces more errors, never a crash.
        return { head, bodyOffset, bodyLength: 0, error: { code: SipErrorCode.MISSING_CONTENT_LENGTH, what: 'missing Content-Length' } };
      case 'multiple':
        return this.#fatal(head, SipErrorCode.MULTIPLE_CONTENT_LENGTH, 'multiple Content-Length values');
      case 'malformed':
        return this.#fatal(head, SipErrorCode.BAD_CONTENT_LENGTH, 'malformed Content-Length');
      case 'value':
        if (bodyOffset + cl.length > this.#maxSize) {
          const reason = `Request Entity Too Large (message over ${this.#maxSize} bytes)`;
          return this.#fatal(head, SipErrorCode.TOO_LARGE, reason, 413);
        }
        return { head, bodyOffset, bodyLength: cl.length };
    }
  }

  #fatal(head: ParsedHead, code: SipErrorCodeValue, what: string, status = 400): ParseResult {
    this.#dead = true;
    return err(errorFor(head, code, what, status, true));
  }

  #skipKeepAlives(): void {
    const skipped = skipLeadingNewlines(this.#store, this.#start, this.#end);
    if (skipped === this.#start) return;
    for (let i = this.#start; i < skipped; i++) {
      // Count LFs: CRLFCRLF (or LFLF) between messages is one ping.
      if (this.#store[i] === 0x0a && ++this.#newlines === 2) {
        this.#newlines = 0;
        this.#pings++;
      }
    }
    this.#start = skipped;
    this.#scanFrom = skipped;
  }

  #fatalTooLarge(from: number, to: number): ParseResult {
    const head = parseHead(this.#store.toString('utf8', from, Math.min(to, from + this.#maxSize)));
    return this.#fatal(head, SipErrorCode.TOO_LARGE, `Request Entity Too Large (header section over ${this.#maxSize} bytes)`, 413);
  }

  #append(chunk: Buffer): void {
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#store.length) {
      if (pending + chunk.length <= this.#store.length) {
        // Enough room once the consumed prefix is dropped.
        this.#store.copy(this.#store, 0, this.#start, this.#end);
      } else {
        let cap = this.#store.length * 2;
        while (cap < pending + chunk.length) cap *= 2;
        const grown = Buffer.allocUnsafeSlow(cap);
        this.#store.copy(grown, 0, this.#start, this.#end);
        this.#store = grown;
      }
      this.#scanFrom -= this.#start;
      this.#start = 0;
      this.#end = pending;
    }
    chunk.copy(this.#store, this.#end);
    this.#end += chunk.length;
  }
}
