/**
 * A client for baresip's ctrl_tcp module: netstring-framed JSON both ways (`<len>:<json>,`).
 * Commands carry a token and get one response; events (CALL_ESTABLISHED, CALL_CLOSED …) arrive
 * unasked. Everything is bounded: a frame over MAX_FRAME bytes or a malformed one closes the link.
 */
import { connect, type Socket } from 'node:net';
import { describeError } from 'connect-realtime-gateway';

const MAX_FRAME = 64 * 1024;

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  id?: string;
  /** performance.now() when it arrived. */
  at: number;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

export class NetstringDecoder {
  #buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete frames, or throws on a malformed or oversized frame. */
  push(chunk: Buffer): string[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: string[] = [];
    for (;;) {
      const colon = this.#buf.indexOf(0x3a);
      if (colon < 0) {
        if (this.#buf.length > 10) throw new Error('netstring: no length prefix');
        return out;
      }
      const lenText = this.#buf.subarray(0, colon).toString('latin1');
      if (!/^\d{1,7}$/.test(lenText)) throw new Error(`netstring: bad length '${lenText.slice(0, 12)}'`);
      const len = Number(lenText);
      if (len > MAX_FRAME) throw new Error(`netstring: frame of ${len} bytes is over ${MAX_FRAME}`);
      const end = colon + 1 + len;
      if (this.#buf.length < end + 1) return out;
      if (this.#buf[end] !== 0x2c) throw new Error('netstring: frame not ended by ","');
      out.push(this.#buf.subarray(colon + 1, end).toString('utf8'));
      this.#buf = this.#buf.subarray(end + 1);
    }
  }
}

export function netstring(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

export class BaresipControl {
  readonly events: BaresipEvent[] = [];
  readonly #socket: Socket;
  readonly #pending = new Map<string, (r: BaresipResponse) => void>();
  #waiters: Array<{ match: (e: BaresipEvent) => boolean; resolve: (e: BaresipEvent) => void }> = [];
  #token = 0;
  #closed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const decoder = new NetstringDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames: string[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
        return;
      }
      for (const f of frames) this.#onFrame(f);
    });
    socket.on('close', () => {
      this.#closed ??= new Error('baresip control connection closed');
      for (const resolve of this.#pending.values()) resolve({ ok: false, data: this.#closed.message });
      this.#pending.clear();
    });
    socket.on('error', (err) => (this.#closed = err));
  }

  /** Connects, retrying while baresip starts, for up to `timeoutMs`. */
  static async connect(host: string, port: number, timeoutMs: number): Promise<BaresipControl> {
    const deadline = performance.now() + timeoutMs;
    let last: unknown;
    while (performance.now() < deadline) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host, port }, () => resolve(s));
          s.once('error', reject);
        });
        return new BaresipControl(socket);
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`cannot reach baresip's ctrl_tcp at ${host}:${port} within ${timeoutMs} ms (${describeError(last)})`);
  }

  #onFrame(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // not JSON: ignored, like any other noise
    }
    if (msg.response === true && typeof msg.token === 'string') {
      this.#pending.get(msg.token)?.({ ok: msg.ok === true, data: typeof msg.data === 'string' ? msg.data : '' });
      this.#pending.delete(msg.token);
      return;
    }
    if (msg.event === true && typeof msg.type === 'string') {
      const str = (k: string): string | undefined => (typeof msg[k] === 'string' ? (msg[k] as string) : undefined);
      const event: BaresipEvent = { type: msg.type, at: performance.now() };
      for (const k of ['class', 'param', 'peeruri', 'id'] as const) {
        const v = str(k);
        if (v !== undefined) event[k] = v;
      }
      this.events.push(event);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(event)) return true;
        w.resolve(event);
        return false;
      });
    }
  }

  /** Sends a long command (e.g. `dial`, `hangup`, `sndcode`, `quit`) and waits for its response. */
  command(command: string, params = '', timeoutMs = 2_000): Promise<BaresipResponse> {
    if (this.#closed) return Promise.resolve({ ok: false, data: this.#closed.message });
    const token = String(++this.#token);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        resolve({ ok: false, data: `no response to ${command} within ${timeoutMs} ms` });
      }, timeoutMs);
      this.#pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#socket.write(netstring(JSON.stringify({ command, params, token })));
    });
  }

  /** The first event (already seen or to come) matching `match`, or undefined after `timeoutMs`. */
  waitFor(match: (e: BaresipEvent) => boolean, timeoutMs: number): Promise<BaresipEvent | undefined> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (e: BaresipEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
