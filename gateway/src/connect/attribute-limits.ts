/**
 * Amazon Connect limits for UpdateContactAttributes, checked before anything is sent so a bad map is
 * a clear local error rather than a 400 after a network round trip.
 *
 * Source: Amazon Connect API Reference, UpdateContactAttributes (and the SDK typings in
 * @aws-sdk/client-connect models_3.d.ts): "You can have up to 32,768 UTF-8 bytes across all attributes
 * for a contact. Attribute keys can include only alphanumeric, dash, and underscore characters."
 * InstanceId is 1..100 characters, InitialContactId 1..256.
 *
 * The 32 KB budget covers every attribute the contact has, including ones the flow set before the
 * transfer; we can only count ours, so that check is a necessary condition, not a sufficient one.
 */

/** Total UTF-8 bytes of keys plus values (we count keys too: the conservative reading). */
export const MAX_CONTACT_ATTRIBUTES_BYTES = 32_768;
export const MAX_INSTANCE_ID_LENGTH = 100;
export const MAX_INITIAL_CONTACT_ID_LENGTH = 256;
/** "alphanumeric, dash, and underscore characters". */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** UTF-8 size of a string without allocating a buffer. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Size of an attribute map as Connect counts it (keys + values, UTF-8). */
export function contactAttributesBytes(attributes: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [k, v] of Object.entries(attributes)) total += utf8Length(k) + utf8Length(v);
  return total;
}

/** Every problem with an attribute map, one line each; empty when Connect would accept it. */
export function checkContactAttributes(attributes: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(attributes);
  if (entries.length === 0) problems.push('attributes: at least one attribute is required');
  let total = 0;
  for (const [key, value] of entries) {
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      problems.push(`attributes: key ${JSON.stringify(key.slice(0, 64))} may contain only letters, digits, '-' and '_'`);
    }
    if (typeof value !== 'string') {
      problems.push(`attributes.${key.slice(0, 64)}: value must be a string, got ${value === null ? 'null' : typeof value}`);
      continue;
    }
    total += utf8Length(key) + utf8Length(value);
  }
  if (total > MAX_CONTACT_ATTRIBUTES_BYTES) {
    problems.push(`attributes: ${total} UTF-8 bytes exceed the ${MAX_CONTACT_ATTRIBUTES_BYTES}-byte Connect limit`);
  }
  return problems;
}

export function checkInstanceId(instanceId: string): string | undefined {
  if (instanceId.length === 0 || instanceId.length > MAX_INSTANCE_ID_LENGTH) return `instanceId: must be 1..${MAX_INSTANCE_ID_LENGTH} characters`;
  return undefined;
}

export function checkInitialContactId(contactId: string): string | undefined {
  if (contactId.length === 0 || contactId.length > MAX_INITIAL_CONTACT_ID_LENGTH) {
    return `initialContactId: must be 1..${MAX_INITIAL_CONTACT_ID_LENGTH} characters`;
  }
  return undefined;
}
