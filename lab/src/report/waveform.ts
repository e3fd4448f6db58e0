/**
 * Sent and received audio of one direction as an SVG: two panes on one time axis (the sent audio
 * already lined up with the received), each column drawn from the min and max of its samples.
 */
export function waveformSvg(panes: Array<{ label: string; signal: ArrayLike<number>; colour: string }>, opts: { width?: number; paneHeight?: number; rate?: number } = {}): string {
  const width = opts.width ?? 900;
  const paneHeight = opts.paneHeight ?? 90;
  const rate = opts.rate ?? 8000;
  const length = Math.max(1, ...panes.map((p) => p.signal.length));
  const axis = 18;
  const height = panes.length * paneHeight + axis;
  const parts: string[] = [];
  panes.forEach((pane, k) => {
    const top = k * paneHeight;
    const mid = top + paneHeight / 2;
    const half = paneHeight / 2 - 4;
    let d = '';
    for (let x = 0; x < width; x++) {
      const from = Math.floor((x * length) / width);
      const to = Math.max(from + 1, Math.floor(((x + 1) * length) / width));
      let lo = 0;
      let hi = 0;
      for (let i = from; i < to && i < pane.signal.length; i++) {
        const v = pane.signal[i] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const y1 = mid - (hi / 32768) * half;
      const y2 = mid - (lo / 32768) * half;
      d += `M${x + 0.5} ${y1.toFixed(1)}V${Math.max(y2, y1 + 0.5).toFixed(1)}`;
    }
    parts.push(`<rect x="0" y="${top}" width="${width}" height="${paneHeight}" fill="#fafafa" stroke="#ddd"/>`);
    parts.push(`<path d="${d}" stroke="${pane.colour}" stroke-width="1" fill="none"/>`);
    parts.push(`<text x="6" y="${top + 14}" font-family="sans-serif" font-size="12" fill="#333">${escapeXml(pane.label)}</text>`);
  });
  const seconds = length / rate;
  const step = seconds > 20 ? 5 : seconds > 8 ? 2 : 1;
  for (let s = 0; s <= seconds; s += step) {
    const x = (s / seconds) * width;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${panes.length * paneHeight}" x2="${x.toFixed(1)}" y2="${panes.length * paneHeight + 4}" stroke="#666"/>`);
    parts.push(`<text x="${Math.min(width - 20, x + 2).toFixed(1)}" y="${height - 3}" font-family="sans-serif" font-size="11" fill="#666">${s} s</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>\n`;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
