// olekukonko/tablewriter as etcdctl configures it: upper-case centred header, right-aligned cells.

function centre(s: string, width: number): string {
  const gap = width - s.length;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + s + ' '.repeat(gap - left);
}

export function renderTable(header: string[], rows: string[][]): string {
  const hdr = header.map((h) => h.toUpperCase());
  const widths = hdr.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  let out = line;
  out += `|${hdr.map((h, i) => ` ${centre(h, widths[i] ?? 0)} `).join('|')}|\n`;
  out += line;
  for (const r of rows) out += `|${widths.map((w, i) => ` ${(r[i] ?? '').padStart(w)} `).join('|')}|\n`;
  out += line;
  return out;
}
