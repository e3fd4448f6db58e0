/**
 * A baresip configuration folder (`baresip -f <dir>`) for a headless lab caller: no audio device,
 * the caller's speech from a WAV (aufile), what it hears written to WAV files (sndfile: one
 * `dump-…-dec.wav` per call), G.711 only, no registration, driven over ctrl_tcp. Every address is
 * an IPv4 loopback literal: baresip binds SIP and RTP to it and advertises it in SDP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BaresipConfig {
  /** Our address, 127.0.0.x. */
  address: string;
  sipPort: number;
  ctrlPort: number;
  /** RTP port range, even start. */
  rtpPorts: [number, number];
  /** 8 kHz mono 16-bit WAV the caller sends from the moment the call is answered. */
  sourceWav: string;
  /** Folder for the received-audio recordings. */
  recordDir: string;
  /** Offered codecs, in order. */
  codecs: Array<'PCMU' | 'PCMA'>;
  user: string;
  modulePath?: string;
}

export const BARESIP_MODULE_PATH = '/usr/lib/baresip/modules';

export function baresipConfigText(c: BaresipConfig): string {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(c.address)) throw new Error(`baresip address must be an IPv4 loopback literal, got '${c.address}'`);
  return [
    'poll_method\t\tepoll',
    `sip_listen\t\t${c.address}:${c.sipPort}`,
    'sip_transports\t\tudp',
    // An IP address here binds SIP and RTP to it (and puts it in the SDP): no other interface is used.
    `net_interface\t\t${c.address}`,
    `rtp_ports\t\t${c.rtpPorts[0]}-${c.rtpPorts[1]}`,
    'rtp_timeout\t\t0',
    'call_max_calls\t\t1',
    `audio_source\t\taufile,${c.sourceWav}`,
    'audio_channels\t\t1',
    'ausrc_srate\t\t8000',
    'auplay_srate\t\t8000',
    `module_path\t\t${c.modulePath ?? BARESIP_MODULE_PATH}`,
    'module\t\t\tg711.so',
    'module\t\t\taufile.so',
    'module\t\t\tsndfile.so',
    'module_app\t\taccount.so',
    'module_app\t\tmenu.so',
    'module_app\t\tctrl_tcp.so',
    `ctrl_tcp_listen\t\t${c.address}:${c.ctrlPort}`,
    `snd_path\t\t${c.recordDir}`,
    '',
  ].join('\n');
}

export function baresipAccountsText(c: Pick<BaresipConfig, 'address' | 'sipPort' | 'codecs' | 'user'>): string {
  if (!/^[A-Za-z0-9+._-]{1,32}$/.test(c.user)) throw new Error(`baresip user must be 1-32 of [A-Za-z0-9+._-], got '${c.user}'`);
  const codecs = c.codecs.map((n) => `${n}/8000/1`).join(',');
  // regint=0: no REGISTER, the lab calls the gateway directly (as a carrier trunk would).
  return `<sip:${c.user}@${c.address}:${c.sipPort}>;regint=0;ptime=20;audio_codecs=${codecs};answermode=manual\n`;
}

/** Writes `config` and `accounts` into `dir` (created); returns `dir`. */
export function writeBaresipConfig(dir: string, c: BaresipConfig): string {
  mkdirSync(dir, { recursive: true });
  mkdirSync(c.recordDir, { recursive: true });
  writeFileSync(join(dir, 'config'), baresipConfigText(c));
  writeFileSync(join(dir, 'accounts'), baresipAccountsText(c));
  writeFileSync(join(dir, 'contacts'), '');
  return dir;
}
