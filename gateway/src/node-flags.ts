/**
 * The V8 flags the gateway process is launched with, wherever it is launched: `make gateway`, the
 * production image's CMD and the lab's gateway process (a test checks the Makefile and the
 * Dockerfile carry them).
 *
 * --max-semi-space-size=8: V8 grows its young generation with the allocation rate up to 64 MiB
 * semi-spaces and keeps it; under load (a WebSocket and 50 packets a second each way per call) or
 * after a SIP flood that is RSS the gateway does not use. Capped at 8 MiB the marginal RSS per call
 * of a load run halves (docs/performance.md); scavenges come more often, each as short.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
