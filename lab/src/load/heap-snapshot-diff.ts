/**
 * Compares two V8 heap snapshots of one gateway taken at different call counts (`node
 * --heapsnapshot-signal=SIGUSR2`, docs/performance.md "How to profile") and prints what each added
 * call keeps: self size by object type and constructor, and the array buffers' memory grouped by size
 * and by the object field that holds them. A snapshot holds only live objects (V8 collects before it
 * writes one), so the difference is the calls' state, not garbage.
 * Usage: node dist/lab/src/load/heap-snapshot-diff.js <before.heapsnapshot> <after.heapsnapshot> <calls added> [top]
 */
import { readFileSync } from 'node:fs';

/** The parts of the `.heapsnapshot` JSON format read here. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGroup {
  name: string;
  count: number;
  bytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  /** Self size by "type name" (strings and numbers by type alone). */
  byKind: Map<string, HeapGroup>;
  /** Array-buffer memory by "size B view in Owner.field". */
  arrayBuffers: Map<string, HeapGroup>;
}

const BACKING_STORE = 'system / JSArrayBufferData';
const BY_TYPE_ONLY = new Set(['string', 'concatenated string', 'sliced string', 'number', 'code', 'hidden']);

function add(map: Map<string, HeapGroup>, name: string, bytes: number): void {
  const g = map.get(name);
  if (g === undefined) map.set(name, { name, count: 1, bytes });
  else {
    g.count++;
    g.bytes += bytes;
  }
}

export function summariseHeap(snap: HeapSnapshot): HeapSummary {
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = snap.snapshot.meta;
  const nodeSize = nf.length;
  const edgeSize = ef.length;
  const [T, N, S, EC] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [ET, EN, TO] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
  const { nodes, edges, strings } = snap;
  const count = nodes.length / nodeSize;
  const nodeName = (i: number): string => strings[nodes[i * nodeSize + N]!] ?? '?';
  const edgeName = (e: number): string => {
    const type = et[0][edges[e + ET]!];
    return type === 'element' || type === 'hidden' ? `[${edges[e + EN]}]` : (strings[edges[e + EN]!] ?? '?');
  };
  // One retainer per node (the first strong one met) is enough to name who holds a buffer.
  const retainer = new Int32Array(count).fill(-1);
  const retainerEdge = new Int32Array(count);
  for (let i = 0, e = 0; i < count; i++) {
    const end = e + nodes[i * nodeSize + EC]! * edgeSize;
    for (; e < end; e += edgeSize) {
      const to = edges[e + TO]! / nodeSize;
      if (retainer[to] === -1 && et[0][edges[e + ET]!] !== 'weak') {
        retainer[to] = i;
        retainerEdge[to] = e;
      }
    }
  }
  const byKind = new Map<string, HeapGroup>();
  const arrayBuffers = new Map<string, HeapGroup>();
  let totalBytes = 0;
  for (let i = 0; i < count; i++) {
    const type = nt[0][nodes[i * nodeSize + T]!] ?? '?';
    const size = nodes[i * nodeSize + S]!;
    totalBytes += size;
    const name = nodeName(i);
    add(byKind, BY_TYPE_ONLY.has(type) ? type : `${type} ${name.slice(0, 60)}`, size);
    if (name !== BACKING_STORE) continue;
    // backing store <- ArrayBuffer <- view (Buffer, Uint8Array…) <- owner.field
    const arrayBuffer = retainer[i]!;
    const view = arrayBuffer < 0 ? -1 : retainer[arrayBuffer]!;
    const owner = view < 0 ? -1 : retainer[view]!;
    const where = owner < 0 ? nodeName(view < 0 ? i : view) : `${nodeName(view)} in ${nodeName(owner).slice(0, 40)}.${edgeName(retainerEdge[view]!)}`;
    add(arrayBuffers, `${size} B ${where}`, size);
  }
  return { totalBytes, byKind, arrayBuffers };
}

/** Per added call: the groups whose bytes changed most, largest growth first. */
export function diffGroups(before: Map<string, HeapGroup>, after: Map<string, HeapGroup>, calls: number, top: number): HeapGroup[] {
  const rows: HeapGroup[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name) ?? { name, count: 0, bytes: 0 };
    const b = after.get(name) ?? { name, count: 0, bytes: 0 };
    if (a.bytes !== b.bytes || a.count !== b.count) rows.push({ name, count: (b.count - a.count) / calls, bytes: (b.bytes - a.bytes) / calls });
  }
  return rows.sort((x, y) => y.bytes - x.bytes).slice(0, top);
}

function print(title: string, rows: HeapGroup[]): void {
  process.stdout.write(`\n${title}\n${'bytes'.padStart(9)} ${'count'.padStart(8)}\n`);
  for (const r of rows) process.stdout.write(`${r.bytes.toFixed(0).padStart(9)} ${r.count.toFixed(2).padStart(8)}  ${r.name}\n`);
}

function main(argv: string[]): void {
  const [beforePath, afterPath, callsText, topText] = argv;
  const calls = Number(callsText);
  if (beforePath === undefined || afterPath === undefined || !Number.isSafeInteger(calls) || calls <= 0) {
    process.stderr.write('usage: heap-snapshot-diff <before.heapsnapshot> <after.heapsnapshot> <calls added> [top]\n');
    process.exitCode = 2;
    return;
  }
  const top = Number(topText ?? 40);
  const read = (p: string) => summariseHeap(JSON.parse(readFileSync(p, 'utf8')) as HeapSnapshot);
  const before = read(beforePath);
  const after = read(afterPath);
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
  const perCall = ((after.totalBytes - before.totalBytes) / calls).toFixed(0);
  process.stdout.write(`live heap ${mb(before.totalBytes)} MB -> ${mb(after.totalBytes)} MB: ${perCall} bytes per added call\n`);
  const n = Number.isSafeInteger(top) && top > 0 ? top : 40;
  print('per added call, by object type and constructor (self size)', diffGroups(before.byKind, after.byKind, calls, n));
  print('per added call, array-buffer memory by size and holder', diffGroups(before.arrayBuffers, after.arrayBuffers, calls, n));
}

if (process.argv[1]?.endsWith('heap-snapshot-diff.js')) main(process.argv.slice(2));
