/** `make docs`: regenerates the generated sections of docs/lab.md (checks, quality limits). */
import { writeLabDocs } from './docs.js';

process.stdout.write(`wrote ${writeLabDocs()}\n`);
