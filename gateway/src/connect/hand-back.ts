/**
 * The whole hand-back write in one step, for the call layer: find the contact (instance, initial
 * contact id, region), build the documented `ai_*` attributes, write them. The BYE goes out after
 * this resolves, whatever it answered — a failed write must not keep the caller on the line — so the
 * report says what happened for the call record instead of throwing.
 */
import type { ConnectCallContext } from './context.js';
import type { ContactAttributesUpdater } from './contact-attributes-writer.js';
import type { ConnectResult } from './errors.js';
import { buildHandBackAttributes, type HandBackInput } from './hand-back-attributes.js';
import { resolveHandBackTarget, type HandBackTarget, type HandBackTargetConfig } from './hand-back-target.js';

export interface HandBackReport {
  result: ConnectResult;
  /** What was (or would have been) written. */
  attributes: Record<string, string>;
  /** Dropped extras, cut texts; one line each. */
  problems: string[];
  target?: HandBackTarget;
}

export async function handBackContact(
  writer: ContactAttributesUpdater,
  context: ConnectCallContext,
  config: HandBackTargetConfig,
  input: HandBackInput,
  opts: { signal?: AbortSignal } = {},
): Promise<HandBackReport> {
  const { attributes, problems } = buildHandBackAttributes(input);
  const resolved = resolveHandBackTarget(context, config);
  if (!resolved.ok) return { result: resolved, attributes, problems };
  const target = resolved.value;
  const result = await writer.update({ ...target, attributes }, opts);
  return { result, attributes, problems, target };
}
