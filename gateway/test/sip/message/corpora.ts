/**
 * Locations of the SIP corpora, in the repository under `lab/corpora/` (sources and licences in its
 * README.md), resolved from this file so tests run from any cwd.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestPolicy } from '../../../src/sip/message/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CORPORA = resolve(REPO_ROOT, 'lab/corpora');
export const RFC4475_DIR = resolve(CORPORA, 'rfc4475');
export const PROTOS_DIR = resolve(CORPORA, 'protos-c07-sip');
export const STREAM_DIR = resolve(CORPORA, 'stream');
export const PJSIP_SEEDS_DIR = resolve(CORPORA, 'pjsip-fuzz-seeds');

/** The policy of our gateway: a UAS for calls, not a registrar, SDP only. */
export const GATEWAY_POLICY: RequestPolicy = {
  allowedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'],
  supportedExtensions: ['timer'],
  acceptedBodyTypes: ['application/sdp'],
  isRegistrar: false,
};
