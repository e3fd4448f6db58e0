import type { Clock } from '../../clock.js';
import type { Logger } from '../../log.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { ResolvedPolicy } from '../options.js';
import type { SipStats } from '../stats.js';
import type { SipTimers } from '../timers.js';
import type { RequestIds } from '../transaction/key.js';
import type { ServerTransaction, TransactionManager } from '../transaction/manager.js';
import type { WireResponse } from '../transaction/wire-response.js';
import type { Destination, SourceInfo, TransportKind } from '../transport/types.js';

/**
 * What IncomingCall and Dialog need from the server that owns them. An internal seam: the call
 * layer never sees it.
 */
export interface UaServices {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timers: SipTimers;
  readonly stats: SipStats;
  readonly policy: ResolvedPolicy;
  readonly userAgent: string | undefined;
  readonly transactions: TransactionManager;
  /** Raw send, outside any transaction: 2xx retransmissions and ACKs to 2xx. Never rejects. */
  send(dest: Destination, data: Buffer): void;
  /**
   * Seals a response (Server: added, serialised once) and sends it through its server transaction,
   * counting it by class. Returns the sealed bytes: a 2xx to INVITE is retransmitted from them.
   */
  reply(tx: ServerTransaction, res: SipResponse): WireResponse;
  /** A response left outside a transaction (stateless 400s): counted like the others. */
  respondedStatelessly(res: SipResponse): void;
  isReliable(kind: TransportKind): boolean;
  /** `<sip:host:port;transport=…>` for the transport a request arrived on (sips: when `secure`). */
  localContact(source: SourceInfo, secure: boolean): string;
  /** A Via value for a request we originate over that transport, with this branch and ;rport. */
  localVia(source: SourceInfo, branch: string): string;
  /** Dialog table (Call-ID + local tag + remote tag). */
  addDialog(key: string, handler: DialogHandle): void;
  removeDialog(key: string): void;
  /**
   * CANCEL targets (RFC 3261 §9.2): INVITE server transaction key → handler (true if it applied).
   * `toTag` is the tag our responses to that INVITE carry, reused in the 200 to the CANCEL.
   */
  addCancellable(txKey: string, onCancel: () => boolean, toTag?: string): void;
  removeCancellable(txKey: string): void;
}

/** An inbound in-dialog request, with what is needed to answer it. */
export interface InDialogRequest {
  request: SipRequest;
  ids: RequestIds;
  source: SourceInfo;
  connectionId: string | undefined;
  /** The §17.2.3 server-transaction key (for ACK: the INVITE's). */
  txKey: string;
  /** Where responses to it go. */
  responseDest: Destination;
}

/** How the server drives a dialog it holds in its table. */
export interface DialogHandle {
  handleRequest(req: InDialogRequest): void;
  /** Server stop: end without signalling (no BYE), clear every timer, emit terminated once. */
  shutdown(reason: string): void;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}
