/**
 * Example tools module for the gateway (agent file: `toolsModule: ./tools.ts`). Each tool is a name,
 * a description the model reads, a JSON Schema for its arguments, and a handler. The gateway checks
 * all of this at start-up, validates the model's arguments against the schema before calling the
 * handler, stops waiting after `toolTimeoutMs`, and turns a thrown error into an error result the
 * model can react to.
 *
 * Node 24 runs this file as is (type stripping); for older Node compile it and point at the .js.
 */
import type { AgentTool } from '../../gateway/src/agent/index.js';

/** Stands in for the order system a real deployment would call (with ctx.signal, to stop on hang-up). */
const ORDERS: Record<string, { status: string; eta: string }> = {
  '10025': { status: 'shipped', eta: 'Thursday' },
  '10031': { status: 'being packed', eta: 'next Monday' },
};

export const tools: AgentTool[] = [
  {
    name: 'lookup_order',
    description: 'Look up an order by its number and tell where it is. Use it whenever the caller asks about an order.',
    parameters: {
      type: 'object',
      properties: { orderNumber: { type: 'string', pattern: '^[0-9]{5}$', description: 'The five-digit order number.' } },
      required: ['orderNumber'],
      additionalProperties: false,
    },
    async handler(args) {
      const order = ORDERS[String(args.orderNumber)];
      if (order === undefined) return { found: false };
      return { found: true, ...order };
    },
  },
  {
    name: 'verify_customer',
    description: "Check the caller's postcode against the account on file before discussing account details.",
    parameters: {
      type: 'object',
      properties: { postcode: { type: 'string', minLength: 3, maxLength: 10 } },
      required: ['postcode'],
      additionalProperties: false,
    },
    async handler(args, ctx) {
      const verified = String(args.postcode).replace(/\s+/g, '').toUpperCase() === 'SW1A1AA';
      // Written to the contact at hand-back, so the Connect flow can skip its own verification.
      ctx.setHandBackAttribute('customer_verified', verified ? 'true' : 'false');
      return verified ? 'The postcode matches the account.' : 'The postcode does not match.';
    },
  },
];
