import { LabCaller } from '../../callers/lab-caller/index.js';
import { startFakeConnect } from '../../fake-connect/index.js';
import { startFakeRealtime } from '../../fake-realtime/index.js';
import { SipAlg } from '../../netem/sip-alg.js';
import type { LabBackend } from './backend.js';
import { localLauncher } from './local-launcher.js';

/** Everything on this machine: the tap and the fakes in the runner's process, tools as children. */
export function localBackend(): LabBackend {
  return {
    name: 'local',
    launcher: localLauncher,
    async startTap(opts) {
      const alg = new SipAlg(opts);
      await alg.start();
      return {
        address: alg.address,
        origin: alg.origin,
        collect: async () => ({ sip: alg.records, rtp: [...alg.relays.values()].flatMap((r) => r.records) }),
        stop: () => alg.stop(),
      };
    },
    async startFakeRealtime(opts) {
      const fake = await startFakeRealtime(opts);
      return { url: fake.url, epoch: fake.epoch, collect: async () => fake, stop: () => fake.close() };
    },
    async startFakeConnect(opts) {
      const connect = await startFakeConnect(opts);
      return { url: connect.url, collect: async () => connect.requests, stop: () => connect.close() };
    },
    async runLabCaller(options, script) {
      const startedAt = performance.now();
      const result = await new LabCaller(options).run(script);
      return { result, startedAt };
    },
    describe: () => ({}),
    close: async () => undefined,
  };
}
