// Go's path.Clean("/" + p) for v2 keys: one leading slash, no trailing slash, no empty, `.` or `..`
// segments (`..` above the root stays at the root).

export function cleanV2Path(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/** Go's path.Split on a cleaned path: `/a/b` -> [`/a/`, `b`]. */
export function splitV2Path(p: string): [dir: string, name: string] {
  const i = p.lastIndexOf('/');
  return [p.slice(0, i + 1), p.slice(i + 1)];
}

export function joinV2Path(parent: string, name: string): string {
  return cleanV2Path(parent + '/' + name);
}

/** An event on keyPath is hidden from a watcher on watchPath when a segment below it starts with `_`. */
export function isHiddenBelow(watchPath: string, keyPath: string): boolean {
  if (watchPath.length > keyPath.length) return false;
  return cleanV2Path('/' + keyPath.slice(watchPath.length)).includes('/_');
}
