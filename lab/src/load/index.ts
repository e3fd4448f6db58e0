/** Load runs: many calls at once through the real gateway, with live progress and a per-call account. */
export { loadLoadScenario, loadScenarioSchema, LoadScenarioError, type LoadScenario } from './load-spec.js';
export { runLoad, type LoadMetrics } from './run-load.js';
export { type LoopLagSample } from './loop-lag-file.js';
export { LoopLagMonitor, type LoopLag } from './loop-lag.js';
export { LOAD_CHECKS, loadChecks, loadThresholdsSchema, type LoadRun } from './load-checks.js';
export { ProgressLine } from './progress-line.js';
export { PacingMeter, RecentLateness, pacingSummary, type PacingSummary } from './pacing-meter.js';
export { MeteredRelay, type RelayCounts } from './metered-relay.js';
export { gatewayLoss, gatewayPacing, type GatewayLoss, type GatewayPacing } from './gateway-accounting.js';
export { sampleProc, cpuPercent, type ProcSample } from './proc-sampler.js';
