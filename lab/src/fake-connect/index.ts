/** The lab's fake Amazon Connect API (UpdateContactAttributes): in-process API for the runner and tests. */
export { parseFakeConnectCli } from './main.js';
export {
  MAX_BODY_BYTES,
  MAX_RECORDS,
  startFakeConnect,
  UPDATE_CONTACT_ATTRIBUTES_PATH,
  type FakeConnectFailures,
  type FakeConnectOptions,
  type FakeConnectRecord,
  type FakeConnectServer,
} from './server.js';
export { parseSigV4Authorization, type SigV4Authorization, type SigV4ParseResult } from './sigv4.js';
