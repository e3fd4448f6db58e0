import type { ConnectCallContext } from '../connect/context.js';
import type { RealtimeAudioFormat, RealtimeSessionConfig } from '../realtime/backend.js';

export interface AgentSettings {
  model: string;
  voice: string;
  instructions: string;
}

/**
 * The Realtime session for one call: the agent's settings, the audio format the media bridge speaks,
 * and the Connect context appended to the instructions so the model knows who is calling and why.
 */
export function buildSessionConfig(agent: AgentSettings, audioFormat: RealtimeAudioFormat, context: ConnectCallContext): RealtimeSessionConfig {
  return {
    model: agent.model,
    instructions: `${agent.instructions}${describeContext(context)}`,
    voice: agent.voice,
    audioFormat,
    turnDetection: {
      type: 'server_vad',
      threshold: 0.5,
      prefixPaddingMs: 300,
      silenceDurationMs: 500,
      createResponse: true,
      interruptResponse: true,
    },
    noiseReduction: null,
    transcription: null,
    tools: [],
  };
}

function describeContext(ctx: ConnectCallContext): string {
  const facts: string[] = [];
  if (ctx.callerNumber) facts.push(`caller number ${ctx.callerNumber}`);
  if (ctx.dialledNumber) facts.push(`dialled number ${ctx.dialledNumber}`);
  if (ctx.contactId) facts.push(`Amazon Connect contact id ${ctx.contactId}`);
  if (ctx.uui?.json) facts.push(`context from the contact flow: ${JSON.stringify(ctx.uui.json)}`);
  else if (ctx.uui?.text) facts.push(`context from the contact flow: ${ctx.uui.text}`);
  return facts.length ? `\n\nCall context: ${facts.join('; ')}.` : '';
}
