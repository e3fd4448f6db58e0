/**
 * Preloaded into the gateway for load runs (`node --import <this file> main.js`): appends one JSON
 * line per interval to LAB_LOOP_PROBE_FILE — {"at": epoch ms, "p50Ms", "p99Ms", "maxMs", "meanMs"}, the
 * process's event-loop delay over that interval (LoopLagMonitor). It imports nothing of the gateway
 * and its timer never keeps the process alive. Without LAB_LOOP_PROBE_FILE it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { LoopLagMonitor } from './loop-lag.js';

const file = process.env.LAB_LOOP_PROBE_FILE;
const everyMs = Number(process.env.LAB_LOOP_PROBE_EVERY_MS ?? '1000');

if (file !== undefined && file !== '' && Number.isFinite(everyMs) && everyMs >= 100) {
  const monitor = new LoopLagMonitor();
  const timer = setInterval(() => {
    const line = { at: performance.timeOrigin + performance.now(), ...monitor.take() };
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      clearInterval(timer); // the lab's folder went away: stop measuring, never disturb the gateway
    }
  }, everyMs);
  timer.unref();
}
