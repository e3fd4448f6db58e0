/**
 * Where the SIP corpora live: in the repository, `lab/corpora/` (sources and licences in its
 * README.md), so a plain clone has everything the conformance suites read.
 */
import { join } from 'node:path';
import { repoRoot } from '../repo-root.js';

export const CORPORA_DIR = join(repoRoot(), 'lab', 'corpora');
/** RFC 4475 `*.dat`, RFC 5118 raw and `.wire` forms, INDEX.md. */
export const RFC4475_DIR = join(CORPORA_DIR, 'rfc4475');
/** PROTOS c07-sip: `protos-c07-sip-cases.tar.gz` and `groups.json`. */
export const PROTOS_ARCHIVE = join(CORPORA_DIR, 'protos-c07-sip', 'protos-c07-sip-cases.tar.gz');
/** Back-to-back SIP messages for TCP framing. */
export const STREAM_DIR = join(CORPORA_DIR, 'stream');
