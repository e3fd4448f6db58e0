/**
 * CLI: call a running gateway by hand.
 *
 *   node dist/lab/src/callers/lab-caller/main.js --target 127.0.0.1:5061 --transport tls --insecure \
 *     --srtp sdes --speak fixtures/caller-hello.wav@500 --hangup-after 8000 --record heard.wav
 *
 * Exit codes: 0 the call ran (answered, or cancelled as asked), 1 it was not answered,
 * 2 bad flags (one line on stderr), 3 a local failure (socket, WAV).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CliError, USAGE, parseCliArgs } from './cli-args.js';
import { isLabCallerError, LabCallerErrorCode } from './errors.js';
import { LabCaller, writeReceivedWav } from './lab-caller.js';
import { resultToJson, summarizeResult } from './result-json.js';
import { describeError } from 'connect-realtime-gateway';

async function main(argv: readonly string[]): Promise<number> {
  let req;
  let caller;
  try {
    req = parseCliArgs(argv, (p) => readFileSync(p, 'utf8'));
    if (req.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    caller = new LabCaller(req.options);
  } catch (err) {
    const msg = err instanceof CliError || isLabCallerError(err) ? err.message : String(err);
    process.stderr.write(`lab-caller: ${msg.split('\n')[0]}\n`);
    return 2;
  }
  try {
    const result = await caller.run(req.script);
    process.stdout.write(`${summarizeResult(result)}\n`);
    if (req.recordPath !== undefined) writeReceivedWav(req.recordPath, result);
    if (req.jsonPath === '-') process.stdout.write(`${resultToJson(result)}\n`);
    else if (req.jsonPath !== undefined) writeFileSync(req.jsonPath, resultToJson(result));
    return result.answered || result.endReason === 'cancelled' ? 0 : 1;
  } catch (err) {
    const bad = isLabCallerError(err) && (err.code === LabCallerErrorCode.BAD_SCRIPT || err.code === LabCallerErrorCode.BAD_OPTION);
    process.stderr.write(`lab-caller: ${describeError(err, { firstLine: true })}\n`);
    return bad ? 2 : 3;
  }
}

process.exitCode = await main(process.argv.slice(2));
