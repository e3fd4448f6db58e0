/**
 * Everything the lab caller takes from the gateway, through the gateway's public entry point only:
 * the codecs are the gateway's own (tested bit-exact elsewhere), so a disagreement between caller
 * and gateway is a protocol problem, never two implementations of G.711 or SRTP drifting apart.
 * The caller's other files import from here, so this is the one place that names the gateway.
 */
export * from '../../../../gateway/src/index.js';
