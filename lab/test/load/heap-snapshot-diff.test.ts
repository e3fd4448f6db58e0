import { getHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { diffGroups, summariseHeap, type HeapSnapshot } from '../../src/load/heap-snapshot-diff.js';

const NODE_TYPES = ['hidden', 'object', 'native', 'string'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** A snapshot in V8's format: a root holding `calls` objects, each with a 16 KiB ring, and a weak ref to each store. */
function snapshotWith(calls: number): HeapSnapshot {
  const strings = ['(root)', 'Call', 'Uint8Array', 'ArrayBuffer', 'system / JSArrayBufferData', 'call', '#ring', 'buffer', 'backing_store', 'cache'];
  const nodes: number[] = [];
  const edges: number[] = [];
  const node = (type: string, name: string, size: number, edgeCount: number): number => {
    nodes.push(NODE_TYPES.indexOf(type), strings.indexOf(name), nodes.length, size, edgeCount);
    return nodes.length - 5; // the node's offset, which is what edges point at
  };
  const edge = (type: string, name: string, to: number) => edges.push(EDGE_TYPES.indexOf(type), strings.indexOf(name), to);
  const F = 5;
  node('hidden', '(root)', 0, 2 * calls);
  // The root's edges: a weak one to each store first (it must not count as the holder), then the calls.
  const first = F; // offsets of the per-call nodes follow in fours
  for (let c = 0; c < calls; c++) edge('weak', 'cache', first + (4 * c + 3) * F);
  for (let c = 0; c < calls; c++) edge('property', 'call', first + 4 * c * F);
  for (let c = 0; c < calls; c++) {
    const base = first + 4 * c * F;
    node('object', 'Call', 48, 1);
    edge('property', '#ring', base + F);
    node('object', 'Uint8Array', 72, 1);
    edge('property', 'buffer', base + 2 * F);
    node('object', 'ArrayBuffer', 48, 1);
    edge('internal', 'backing_store', base + 3 * F);
    node('native', 'system / JSArrayBufferData', 16384, 0);
  }
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [NODE_TYPES], edge_fields: ['type', 'name_or_index', 'to_node'], edge_types: [EDGE_TYPES] } },
    nodes,
    edges,
    strings,
  };
}

describe('heap-snapshot-diff', () => {
  it('names each array buffer by its view and the field that holds it, and divides the growth by the calls added', () => {
    const before = summariseHeap(snapshotWith(1));
    const after = summariseHeap(snapshotWith(3));
    expect(after.totalBytes - before.totalBytes).toBe(2 * (48 + 72 + 48 + 16384));
    expect(diffGroups(before.arrayBuffers, after.arrayBuffers, 2, 10)).toEqual([{ name: '16384 B Uint8Array in Call.#ring', count: 1, bytes: 16384 }]);
    const kinds = diffGroups(before.byKind, after.byKind, 2, 10);
    expect(kinds[0]).toEqual({ name: 'native system / JSArrayBufferData', count: 1, bytes: 16384 });
    expect(kinds.map((k) => k.name)).toEqual(['native system / JSArrayBufferData', 'object Uint8Array', 'object Call', 'object ArrayBuffer']);
    expect(diffGroups(before.byKind, before.byKind, 1, 10)).toEqual([]);
  });

  it('reads a real snapshot of this process: three holders, three 4 KiB buffers held in their field', async () => {
    class SnapshotProbeHolder {
      kept = new Uint8Array(new ArrayBuffer(4096));
    }
    const holders = [new SnapshotProbeHolder(), new SnapshotProbeHolder(), new SnapshotProbeHolder()];
    const stream = getHeapSnapshot().setEncoding('utf8');
    let text = '';
    for await (const chunk of stream) text += chunk as string;
    const summary = summariseHeap(JSON.parse(text) as HeapSnapshot);
    expect(summary.byKind.get('object SnapshotProbeHolder')?.count).toBe(holders.length);
    expect(summary.arrayBuffers.get('4096 B Uint8Array in SnapshotProbeHolder.kept')?.count).toBe(holders.length);
  }, 60_000);
});
