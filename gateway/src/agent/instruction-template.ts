/**
 * Instruction templates: text with `{{placeholder}}` slots filled per call from the Amazon Connect
 * context. Parsed once at load time, so an unknown or malformed placeholder stops start-up with a
 * message listing the allowed ones, instead of reaching a caller as literal braces.
 *
 *   {{contactId}}  {{initialContactId}}  {{callerNumber}}  {{dialledNumber}}
 *   {{uuiText}}    the User-to-User text the contact flow set
 *   {{uui.<key>}}  a member of the UUI JSON; nested keys with dots ({{uui.customer.tier}})
 *   {{digits}}     only in dtmf.collect.prompt: the digits the caller entered
 *
 * At call time a missing value renders as an empty string and is reported. Values are flattened to
 * one line and capped, because they come from outside (caller id, flow data) and land in the model's
 * instructions.
 */
import type { ConnectCallContext } from '../connect/context.js';
import { err, ok, type Result } from '../result.js';

export type ContextField = 'contactId' | 'initialContactId' | 'callerNumber' | 'dialledNumber' | 'uuiText';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'field'; field: ContextField }
  | { kind: 'uui'; path: readonly string[] }
  | { kind: 'digits' };

export interface InstructionTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

export type TemplateParseResult = Result<InstructionTemplate, string[]>;

export const CONTEXT_FIELDS: readonly ContextField[] = ['contactId', 'initialContactId', 'callerNumber', 'dialledNumber', 'uuiText'];
/** Longest value substituted for one placeholder, in characters. */
export const MAX_PLACEHOLDER_VALUE_CHARS = 1_000;
const UUI_KEY = /^[A-Za-z0-9_-]+$/;

export function allowedPlaceholders(opts: { digits?: boolean } = {}): string[] {
  return [...CONTEXT_FIELDS.map((f) => `{{${f}}}`), '{{uui.<key>}}', ...(opts.digits ? ['{{digits}}'] : [])];
}

/** Problems name the placeholder; the caller prefixes the field (`instructions: …`). */
export function parseTemplate(source: string, opts: { digits?: boolean } = {}): TemplateParseResult {
  const parts: TemplatePart[] = [];
  const problems: string[] = [];
  let pos = 0;
  // Bounded: each iteration consumes at least the two opening braces or ends the loop.
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      parts.push({ kind: 'text', text: source.slice(pos) });
      break;
    }
    if (open > pos) parts.push({ kind: 'text', text: source.slice(pos, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push(`unterminated placeholder at character ${open + 1}: "${source.slice(open, open + 24)}"`);
      break;
    }
    const name = source.slice(open + 2, close).trim();
    const part = placeholder(name, opts);
    if (part === undefined) problems.push(`unknown placeholder {{${name.slice(0, 40)}}}; allowed: ${allowedPlaceholders(opts).join(', ')}`);
    else parts.push(part);
    pos = close + 2;
  }
  return problems.length > 0 ? err(problems) : ok({ source, parts });
}

function placeholder(name: string, opts: { digits?: boolean }): TemplatePart | undefined {
  if ((CONTEXT_FIELDS as readonly string[]).includes(name)) return { kind: 'field', field: name as ContextField };
  if (name === 'digits' && opts.digits === true) return { kind: 'digits' };
  if (name.startsWith('uui.')) {
    const path = name.slice(4).split('.');
    if (path.length > 0 && path.every((k) => UUI_KEY.test(k))) return { kind: 'uui', path };
  }
  return undefined;
}

export interface TemplateValues {
  context: ConnectCallContext;
  digits?: string;
}

export interface RenderedTemplate {
  text: string;
  /** Placeholders that had no value (rendered empty), and values that were cut; one line each. */
  problems: string[];
}

export function renderTemplate(template: InstructionTemplate, values: TemplateValues): RenderedTemplate {
  const problems: string[] = [];
  let text = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const label = part.kind === 'field' ? part.field : part.kind === 'digits' ? 'digits' : `uui.${part.path.join('.')}`;
    const raw = valueOf(part, values);
    if (raw === undefined || raw === '') {
      problems.push(`{{${label}}} has no value for this call; rendered empty`);
      continue;
    }
    const flat = raw.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
    if (flat.length > MAX_PLACEHOLDER_VALUE_CHARS) problems.push(`{{${label}}} value cut to ${MAX_PLACEHOLDER_VALUE_CHARS} characters`);
    text += flat.slice(0, MAX_PLACEHOLDER_VALUE_CHARS);
  }
  return { text, problems };
}

function valueOf(part: Exclude<TemplatePart, { kind: 'text' }>, values: TemplateValues): string | undefined {
  const ctx = values.context;
  switch (part.kind) {
    case 'digits':
      return values.digits;
    case 'field':
      switch (part.field) {
        case 'contactId':
          return ctx.contactId;
        case 'initialContactId':
          // A contact that was never transferred is its own initial contact.
          return ctx.initialContactId ?? ctx.contactId;
        case 'callerNumber':
          return ctx.callerNumber;
        case 'dialledNumber':
          return ctx.dialledNumber;
        case 'uuiText':
          return ctx.uui?.text;
      }
      return undefined;
    case 'uui': {
      let node: unknown = ctx.uui?.json;
      for (const key of part.path) {
        if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
        node = (node as Record<string, unknown>)[key];
      }
      if (node === undefined || node === null) return undefined;
      return typeof node === 'string' ? node : typeof node === 'object' ? JSON.stringify(node) : String(node);
    }
  }
}
