/**
 * Example agent for the `agents-sdk` provider (REALTIME_PROVIDER=agents-sdk,
 * AGENTS_SDK_MODULE=docs/examples/agents-sdk-agent.ts): a parcel-delivery front desk written with the
 * OpenAI Agents SDK, with one tool and a handoff to a billing specialist.
 *
 * The SDK runs `lookup_order` and the handoff itself. The gateway adds its own tools (end_call,
 * transfer_to_human, send_dtmf) to both agents and appends the call context (caller number, Connect
 * contact attributes) to their instructions, so neither needs to be written here.
 *
 * A module may export `createAgent(context)` instead (called per call, e.g. to pick an agent by the
 * dialled number); this one exports a shared agent, which is fine: the gateway never mutates it.
 * Node 24 runs this file as is (type stripping); for older Node compile it and point at the .js.
 */
import { RealtimeAgent, tool } from '@openai/agents-realtime';
import { z } from 'zod';

/** Stands in for the order system a real deployment would call. */
const ORDERS: Record<string, { status: string; eta: string; amountDue: number }> = {
  '10025': { status: 'shipped', eta: 'Thursday', amountDue: 0 },
  '10031': { status: 'waiting for payment', eta: 'two days after payment', amountDue: 12.5 },
};

export const lookupOrder = tool({
  name: 'lookup_order',
  description: 'Look up an order by its five-digit number: where it is, when it arrives, what is still to pay.',
  parameters: z.object({
    orderNumber: z.string().regex(/^[0-9]{5}$/).describe('The five-digit order number, digits only.'),
  }),
  async execute({ orderNumber }) {
    const order = ORDERS[orderNumber];
    if (order === undefined) return `There is no order ${orderNumber}.`;
    const due = order.amountDue > 0 ? ` ${order.amountDue.toFixed(2)} euros are still to pay.` : '';
    return `Order ${orderNumber} is ${order.status}; expected ${order.eta}.${due}`;
  },
});

export const billingAgent = new RealtimeAgent({
  name: 'Billing',
  handoffDescription: 'Handles payments, refunds and invoices.',
  instructions: [
    'You are the billing specialist of Parcelio, on the phone.',
    'Help with outstanding payments, refunds and invoices. You cannot take card numbers on this line:',
    'offer to send a payment link by text message instead.',
    'Keep every answer to one or two short sentences.',
  ].join(' '),
  tools: [lookupOrder],
});

export const frontDeskAgent = new RealtimeAgent({
  name: 'Front desk',
  instructions: [
    'You answer the phone for Parcelio, a parcel delivery company.',
    'Greet the caller briefly and ask how you can help.',
    'For questions about an order, ask for the five-digit order number and use lookup_order.',
    'Hand over to Billing for payments, refunds and invoices.',
    'Keep every answer to one or two short sentences; this is a phone call.',
  ].join(' '),
  tools: [lookupOrder],
  handoffs: [billingAgent],
});

export default frontDeskAgent;
