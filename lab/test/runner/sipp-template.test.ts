/** SIPp scenario templates: {{PLACEHOLDERS}} filled by the runner. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/repo-root.js';
import { renderTemplate } from '../../src/runner/sipp.js';

describe('renderTemplate', () => {
  it('fills every placeholder, as often as it occurs', () => {
    const out = renderTemplate('From: <sip:{{FROM_USER}}@x>\nContact: <sip:{{FROM_USER}}@y>\nTo: {{TO_USER}}\n', { FROM_USER: '+1555', TO_USER: '+1666' });
    expect(out).toBe('From: <sip:+1555@x>\nContact: <sip:+1555@y>\nTo: +1666\n');
  });

  it('removes a line holding only an empty placeholder (an empty line would end the SIP headers)', () => {
    const template = ['      User-Agent: lab', '{{EXTRA_HEADERS}}', '   {{MORE}}  ', '      Content-Type: application/sdp', ''].join('\n');
    const out = renderTemplate(template, { EXTRA_HEADERS: '', MORE: '' });
    expect(out).toBe('      User-Agent: lab\n      Content-Type: application/sdp\n');
  });

  it('keeps a placeholder-only line when its value is not empty, and a multi-line value stays multi-line', () => {
    const out = renderTemplate('A: 1\n{{EXTRA_HEADERS}}\nB: 2\n', { EXTRA_HEADERS: 'X-One: 1\nX-Two: 2' });
    expect(out).toBe('A: 1\nX-One: 1\nX-Two: 2\nB: 2\n');
  });

  it('an empty value inside a line leaves the rest of the line', () => {
    expect(renderTemplate('m=audio 6000 RTP/AVP {{PT}}0 101\n', { PT: '' })).toBe('m=audio 6000 RTP/AVP 0 101\n');
  });

  it('a value is inserted literally ($ patterns are not expanded)', () => {
    expect(renderTemplate('X: {{V}}\n', { V: "$& $1 $$ $'" })).toBe("X: $& $1 $$ $'\n");
  });

  it('SIPp’s own [keywords] are left for SIPp', () => {
    expect(renderTemplate('Via: SIP/2.0/[transport] [local_ip]:[local_port]\n', {})).toBe('Via: SIP/2.0/[transport] [local_ip]:[local_port]\n');
  });

  it('a placeholder without a value is an error naming it', () => {
    expect(() => renderTemplate('To: {{TO_USER}}\n{{HANGUP_MS}}\n', { TO_USER: 'x' })).toThrow('SIPp template placeholder {{HANGUP_MS}} has no value');
    expect(() => renderTemplate('To: {{TO_USER}}\n', {})).toThrow('{{TO_USER}}');
  });

  it('the shipped uac-call template renders completely with the values the runner gives', () => {
    const template = readFileSync(join(repoRoot(), 'lab', 'sipp', 'uac-call.xml'), 'utf8');
    const keys = [...new Set([...template.matchAll(/\{\{([A-Z_]+)\}\}/g)].map((m) => m[1]!))];
    expect(keys.length).toBeGreaterThan(3);
    const values = Object.fromEntries(keys.map((k) => [k, k === 'EXTRA_HEADERS' ? '' : `v-${k.toLowerCase()}`]));
    const out = renderTemplate(template, values);
    expect(out).not.toMatch(/\{\{[A-Z_]+\}\}/);
    // The SIP header block of the INVITE has no blank line before Content-Type.
    expect(out).toMatch(/User-Agent: lab-sipp-caller\n[ \t]*Content-Type: application\/sdp/);
  });
});
