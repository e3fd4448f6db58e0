/**
 * The SIP ALG + metered media relays of a load run, in a process of its own (pinned with the
 * generator, away from the gateway's core) so its receive times are not delayed by the runner's own
 * work:
 *
 *   node dist/lab/src/load/load-tap-main.js <config.json>
 *
 * Prints `lab-part ready {…}`, then one `load-tap stats {…}` line per `statsEveryMs` (the live
 * progress), and on SIGTERM writes its per-call counters, SIP counts and the wire pacing summary to
 * `snapshotFile` and exits 0. Bad config: one line on stderr, exit 2. With `capture`, media bypasses
 * it (the ALG leaves SDP alone) and a dumpcap child captures the gateway's RTP instead; counters and
 * pacing come from that capture at the end (the live figures then carry SIP only).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { SipAlg } from '../netem/sip-alg.js';
import { READY_PREFIX } from '../runner/backends/containers/part-protocol.js';
import { encodeSnapshot } from '../runner/backends/snapshot-json.js';
import { DirectCall } from './direct-call.js';
import { MeteredRelay } from './metered-relay.js';
import { readRtpCapture, startRtpCapture, stopRtpCapture } from './rtp-capture.js';
import { LoopLagMonitor } from './loop-lag.js';
import { pacingSummary, RecentLateness } from './pacing-meter.js';
import { SipCallCounter } from './sip-counter.js';
import { LOAD_STATS_PREFIX, type LoadTapConfig, type LoadTapSnapshot, type LoadTapStats } from './load-tap-protocol.js';

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as LoadTapConfig;
  const recent = new RecentLateness();
  const capture = config.capture;
  const alg = new SipAlg<MeteredRelay | DirectCall>(
    { host: config.host, port: config.port, gateway: config.gateway, directMedia: capture !== undefined },
    capture ? async (callId) => new DirectCall(callId) : (callId) => MeteredRelay.create(config.host, callId, recent),
  );
  await alg.start();
  const dumpcap = capture ? await startRtpCapture(capture, capture.file) : undefined;
  const counter = new SipCallCounter();
  // Its own event-loop delay: when it is high, its receive times (the pacing figures) are not the gateway's.
  const lag = new LoopLagMonitor();
  process.stdout.write(`${READY_PREFIX}${JSON.stringify({ kind: 'load-tap', origin: performance.timeOrigin + alg.origin, pid: process.pid })}\n`);
  const totals = (): { toGateway: number; toCaller: number; unrouted: number; sendErrors: number } => {
    const t = { toGateway: 0, toCaller: 0, unrouted: 0, sendErrors: 0 };
    for (const r of alg.relays.values()) {
      t.toGateway += r.counts.toGateway;
      t.toCaller += r.counts.toCaller;
      t.unrouted += r.counts.unrouted;
      t.sendErrors += r.counts.sendErrors;
    }
    return t;
  };
  const timer = setInterval(() => {
    const stats: LoadTapStats = {
      at: performance.timeOrigin + performance.now(),
      sip: counter.update(alg.records),
      ...totals(),
      pacingP99Ms: recent.takeP99() ?? null,
      loopLagP99Ms: lag.take().p99Ms,
    };
    process.stdout.write(`${LOAD_STATS_PREFIX}${JSON.stringify(stats)}\n`);
  }, config.statsEveryMs);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    if (capture && dumpcap) {
      await stopRtpCapture(dumpcap);
      const traffic = readRtpCapture(capture.file, capture);
      for (const r of alg.relays.values()) if (r instanceof DirectCall) r.fill(traffic);
      // Hundreds of MB for a long run, and everything in it is now in the snapshot.
      rmSync(capture.file, { force: true });
    }
    const snapshot: LoadTapSnapshot = {
      sip: counter.update(alg.records),
      calls: [...alg.relays.values()].map((r) => ({ callId: r.callId, ...r.counts })),
      pacing: pacingSummary([...alg.relays.values()].map((r) => r.pacing)),
    };
    writeFileSync(`${config.snapshotFile}.tmp`, encodeSnapshot(snapshot));
    renameSync(`${config.snapshotFile}.tmp`, config.snapshotFile);
    void alg.stop().finally(() => process.exit(0));
  };
  const stopOnce = (): void => {
    stop().catch((err: unknown) => {
      process.stderr.write(`load-tap: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
      process.exit(1);
    });
  };
  process.once('SIGTERM', stopOnce);
  process.once('SIGINT', stopOnce);
}

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('load-tap: usage: load-tap-main.js <config.json>\n');
  process.exit(2);
}
main(configPath).catch((err: unknown) => {
  process.stderr.write(`load-tap: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  process.exit(2);
});
