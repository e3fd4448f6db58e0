/**
 * JSON for evidence that crosses a process boundary (a lab part in a container hands its records to
 * the runner): byte arrays (Buffer, Uint8Array, Int16Array) travel as base64 and come back as the
 * same types, so the checks read a container's records exactly as they read the in-process ones.
 */
const TAG = '$bytes';

type Tagged = { [TAG]: 'u8' | 'buf' | 'i16'; b64: string };

function isTagged(v: unknown): v is Tagged {
  return typeof v === 'object' && v !== null && TAG in v && typeof (v as Tagged).b64 === 'string';
}

export function encodeSnapshot(value: unknown): string {
  // Buffer#toJSON runs before the replacer sees the value; look at the holder's raw property instead.
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = key === '' ? value : this[key];
    if (Buffer.isBuffer(raw)) return { [TAG]: 'buf', b64: raw.toString('base64') };
    if (raw instanceof Int16Array) return { [TAG]: 'i16', b64: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    if (raw instanceof Uint8Array) return { [TAG]: 'u8', b64: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    return v;
  });
}

export function decodeSnapshot<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (!isTagged(v)) return v;
    const bytes = Buffer.from(v.b64, 'base64');
    if (v[TAG] === 'buf') return bytes;
    if (v[TAG] === 'u8') return new Uint8Array(bytes);
    // Copy: an Int16Array view needs 2-byte alignment, which a pooled Buffer does not promise.
    const out = new Int16Array(bytes.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i);
    return out;
  }) as T;
}
