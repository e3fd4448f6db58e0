import { GenericContainer, getContainerRuntimeClient } from 'testcontainers';

export interface NetemProbe {
  available: boolean;
  /** Why not, in the kernel's or tc's words. */
  reason: string;
}

/**
 * Does this host's kernel have the netem qdisc (sch_netem)? Asked without touching the host: a
 * throw-away container with no network (its own loopback only) and NET_ADMIN tries to put a netem
 * qdisc on that loopback. Where netem exists, kernel-level impairment of a container's own network
 * is possible; the lab's scenarios still impair in the tap's userspace relay, because only that is
 * reproducible from a seed and records the fate of every packet (docs/lab.md).
 */
export async function probeNetem(image: string): Promise<NetemProbe> {
  try {
    const started = await new GenericContainer(image)
      .withNetworkMode('none')
      .withAddedCapabilities('NET_ADMIN')
      .withCommand(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
      .start();
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(started.getId());
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const output = demuxedText(await container.logs({ stdout: true, stderr: true, follow: false }));
    await container.remove({ force: true }).catch(() => undefined);
    const words = output.trim().split('\n').pop() ?? '';
    return StatusCode === 0 ? { available: true, reason: 'netem qdisc accepted' } : { available: false, reason: words || `tc exit ${StatusCode}` };
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message.split('\n')[0] ?? 'probe failed' : String(err) };
  }
}

/** Docker's multiplexed log format: frames of [stream, 0, 0, 0, length (u32 BE)] + payload. */
function demuxedText(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let off = 0; off + 8 <= raw.length; ) {
    const len = raw.readUInt32BE(off + 4);
    parts.push(raw.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}
