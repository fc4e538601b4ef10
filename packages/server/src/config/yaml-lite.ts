// The YAML subset etcd config files use: nested mappings by indentation, scalars (plain, 'single',
// "double" quoted), booleans, numbers, null, flow lists [a, b] and block lists (- item), comments.
// Anchors, multi-line scalars and multiple documents are refused with a clear error.

export class YamlError extends Error {}

type Scalar = string | number | boolean | null;
export type YamlValue = Scalar | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  lineNo: number;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) {
      return line.slice(0, i);
    }
  }
  return line;
}

function parseScalar(raw: string, lineNo: number): Scalar | Scalar[] {
  const text = raw.trim();
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new YamlError(`line ${lineNo}: unterminated string`);
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlError(`line ${lineNo}: unterminated string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new YamlError(`line ${lineNo}: unterminated list`);
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    return inner.split(',').map((item) => parseScalar(item, lineNo) as Scalar);
  }
  if (/^[&*!|>{]/.test(text)) throw new YamlError(`line ${lineNo}: unsupported YAML syntax ${JSON.stringify(text)}`);
  if (/^(true|True|TRUE|yes|on)$/.test(text)) return true;
  if (/^(false|False|FALSE|no|off)$/.test(text)) return false;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

export function parseYaml(source: string): { [key: string]: YamlValue } {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    if (raw.includes('\t') && /^\s*\t/.test(raw)) throw new YamlError(`line ${i + 1}: tabs are not allowed for indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '' || text.trim() === '---') return;
    if (text.trim() === '...') return;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), lineNo: i + 1 });
  });
  let pos = 0;

  function parseBlock(indent: number): YamlValue {
    const first = lines[pos];
    if (first === undefined) return null;
    if (first.text.startsWith('- ') || first.text === '-') return parseList(first.indent);
    return parseMap(indent);
  }

  function parseList(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (pos < lines.length) {
      const line = lines[pos] as Line;
      if (line.indent !== indent || !(line.text.startsWith('- ') || line.text === '-')) break;
      pos++;
      out.push(parseScalar(line.text.slice(1), line.lineNo) as YamlValue);
    }
    return out;
  }

  function parseMap(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    while (pos < lines.length) {
      const line = lines[pos] as Line;
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlError(`line ${line.lineNo}: unexpected indentation`);
      const m = /^("[^"]*"|'[^']*'|[^:]+?)\s*:(\s+(.*))?$/.exec(line.text);
      if (m === null) throw new YamlError(`line ${line.lineNo}: expected "key: value"`);
      const key = (m[1] as string).replace(/^["']|["']$/g, '');
      const rest = m[3] ?? '';
      pos++;
      if (rest.trim() === '') {
        const next = lines[pos];
        if (next !== undefined && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')))) {
          out[key] = parseBlock(next.indent);
        } else {
          out[key] = null;
        }
      } else {
        out[key] = parseScalar(rest, line.lineNo) as YamlValue;
      }
    }
    return out;
  }

  if (lines.length === 0) return {};
  const root = parseBlock((lines[0] as Line).indent);
  if (pos < lines.length) throw new YamlError(`line ${(lines[pos] as Line).lineNo}: unexpected content`);
  if (root === null || Array.isArray(root) || typeof root !== 'object') throw new YamlError('the config file must be a mapping of flag names to values');
  return root;
}
