/**
 * Locations of the shared SIP corpora. They live outside the repository, next to it:
 * `<repoRoot>/../shared/corpora`, resolved from this file so tests run from any cwd.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestPolicy } from '../../../src/sip/message/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CORPORA = resolve(REPO_ROOT, '../shared/corpora');
export const RFC4475_DIR = resolve(CORPORA, 'rfc4475');
export const SIP_CORPUS_DIR = resolve(CORPORA, 'sip-corpus');

/** The policy of our gateway: a UAS for calls, not a registrar, SDP only. */
export const GATEWAY_POLICY: RequestPolicy = {
  allowedMethods: ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'],
  supportedExtensions: ['timer'],
  acceptedBodyTypes: ['application/sdp'],
  isRegistrar: false,
};
