/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): self time by function, by file and by
 * area of the gateway, plus inclusive time of chosen functions, so a load run's profile reads as
 * "where the time goes". Usage: node dist/lab/src/load/cpu-profile-summary.js <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: ProfileRow[];
  byFile: ProfileRow[];
  byArea: ProfileRow[];
  inclusive: ProfileRow[];
}

/** Shortens a script URL to its path inside the repository (or the package / node: module). */
export function shortFile(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^file:\/\//, '');
}

/** The area a file belongs to: a gateway layer (gateway/src/<layer>), an npm package, node internals. */
export function areaOf(url: string): string {
  const file = shortFile(url);
  const gw = /^gateway\/src\/([^/]+)/.exec(file);
  if (gw) return `gateway/${gw[1]?.replace(/\.js$/, '')}`;
  if (url.includes('node_modules/')) return `npm:${file.split('/')[0] ?? file}`;
  if (file.startsWith('node:')) return 'node internals';
  if (file.startsWith('lab/')) return 'lab probe';
  return file.startsWith('(') ? file : 'other';
}

function rows(map: Map<string, number>, totalMs: number, top: number): ProfileRow[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, share: Math.round((ms / totalMs) * 1000) / 10 }));
}

const add = (m: Map<string, number>, k: string, v: number): void => {
  m.set(k, (m.get(k) ?? 0) + v);
};

/** Aggregates a profile's samples (self time), and inclusive time per function name. */
export function summariseProfile(profile: CpuProfile, top = 30): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let totalUs = 0;
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  const area = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    totalUs += us;
    const ms = us / 1000;
    add(fn, `${cf.functionName || '(anonymous)'} ${shortFile(cf.url)}:${cf.lineNumber + 1}`, ms);
    add(file, shortFile(cf.url) || cf.functionName, ms);
    add(area, cf.url === '' ? cf.functionName : areaOf(cf.url), ms);
    // Inclusive: every distinct named frame on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)?.callFrame;
      if (!c || c.url === '' || c.url.startsWith('node:')) continue;
      const key = `${c.functionName || '(anonymous)'} ${shortFile(c.url)}:${c.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(incl, key, ms);
    }
  }
  const totalMs = totalUs / 1000;
  return {
    totalMs,
    byFunction: rows(fn, totalMs, top),
    byFile: rows(file, totalMs, top),
    byArea: rows(area, totalMs, top),
    inclusive: rows(incl, totalMs, top),
  };
}

function print(title: string, list: ProfileRow[]): void {
  process.stdout.write(`\n${title}\n`);
  for (const r of list) process.stdout.write(`${r.share.toFixed(1).padStart(6)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}\n`);
}

function main(argv: string[]): void {
  const path = argv[0];
  if (path === undefined) {
    process.stderr.write('usage: cpu-profile-summary <file.cpuprofile> [top]\n');
    process.exitCode = 2;
    return;
  }
  const top = Number(argv[1] ?? 30);
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const s = summariseProfile(profile, Number.isSafeInteger(top) && top > 0 ? top : 30);
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  process.stdout.write(`${path}: ${s.totalMs.toFixed(0)} ms busy of ${wallMs.toFixed(0)} ms wall (${((s.totalMs / wallMs) * 100).toFixed(1)} %)\n`);
  print('self time by area', s.byArea);
  print('self time by file', s.byFile);
  print('self time by function', s.byFunction);
  print('inclusive time (JS frames)', s.inclusive);
}

if (process.argv[1]?.endsWith('cpu-profile-summary.js')) main(process.argv.slice(2));
