import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCtlV2 } from './main';

interface Fake {
  url: string;
  seen: string[];
  close(): Promise<void>;
}

/** A fake etcd v2 endpoint: /v2/members lists itself; /v2/keys answers from `keys`. */
async function fakeEtcd(keys: (method: string, url: string, res: http.ServerResponse) => void): Promise<Fake> {
  const seen: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`.trim());
      if (req.url === '/v2/members') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"members":[{"id":"8e9e05c52164694d","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["${url}"]}]}\n`);
        return;
      }
      if (req.url === '/v2/members/leader') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"id":"8e9e05c52164694d","name":"n1","peerURLs":["http://127.0.0.1:2380"],"clientURLs":["${url}"]}\n`);
        return;
      }
      keys(req.method ?? '', req.url ?? '', res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function reply(res: http.ServerResponse, status: number, body: string, index = '20'): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Etcd-Index': index });
  res.end(`${body}\n`);
}

async function run(args: string[], options: { input?: string; signal?: AbortSignal } = {}) {
  let stdout = '';
  let stderr = '';
  const exitCode = await runCtlV2(args, {
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    stdin: () => Promise.resolve(options.input ?? ''),
    env: { PATH: process.env.PATH ?? '' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { stdout, stderr, exitCode };
}

const TREE =
  '{"action":"get","node":{"dir":true,"nodes":[{"key":"/b","dir":true,"nodes":[{"key":"/b/c","value":"1","modifiedIndex":5,"createdIndex":5}],"modifiedIndex":4,"createdIndex":4},{"key":"/a","value":"x","modifiedIndex":3,"createdIndex":3}]}}';

describe('runCtlV2 against a fake v2 endpoint', () => {
  let fake: Fake;
  afterEach(() => fake.close());

  test('set syncs the endpoints first, sends the form and prints the value', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 201, '{"action":"set","node":{"key":"/k","value":"v v","modifiedIndex":9,"createdIndex":9}}'));
    expect(await run(['--endpoints', fake.url, 'set', '/k', 'v v'])).toEqual({ stdout: 'v v\n', stderr: '', exitCode: 0 });
    expect(fake.seen).toEqual(['GET /v2/members', 'PUT /v2/keys/k value=v+v']);
  });

  test('a server error is `Error:  <code>: <message> (<cause>) [<index>]`, exit 4, also with -o json', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 404, '{"errorCode":100,"message":"Key not found","cause":"/x","index":20}'));
    const expected = { stdout: '', stderr: 'Error:  100: Key not found (/x) [20]\n', exitCode: 4 };
    expect(await run(['--endpoints', fake.url, 'get', '/x'])).toEqual(expected);
    expect(await run(['--endpoints', fake.url, '-o', 'json', 'get', '/x'])).toEqual(expected);
  });

  test('ls -r -p prints the tree depth first with slashes on directories; get of a dir fails with exit 1', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 200, TREE));
    expect(await run(['--endpoints', fake.url, '--no-sync', 'ls', '-r', '-p'])).toEqual({ stdout: '/b/\n/b/c\n/a\n', stderr: '', exitCode: 0 });
    expect(fake.seen).toEqual(['GET /v2/keys/?quorum=false&recursive=true&sorted=false']);
    expect(await run(['--endpoints', fake.url, '--no-sync', 'get', '/'])).toEqual({ stdout: '', stderr: ': is a directory\n', exitCode: 1 });
  });

  test('--debug prints the sync steps and a curl line per request', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 200, '{"action":"delete","node":{"key":"/k","modifiedIndex":9,"createdIndex":3},"prevNode":{"key":"/k","value":"old","modifiedIndex":3,"createdIndex":3}}'));
    const r = await run(['--endpoints', fake.url, '--debug', 'rm', '--with-index', '3', '/k']);
    expect(r.stdout).toBe('PrevNode.Value: old\n');
    expect(r.stderr).toBe(
      `start to sync cluster using endpoints(${fake.url})\ncURL Command: curl -X GET ${fake.url}/v2/members\n` +
        `got endpoints(${fake.url}) after sync\nCluster-Endpoints: ${fake.url}\ncURL Command: curl -X DELETE ${fake.url}/v2/keys/k?prevIndex=3\n`,
    );
  });

  test('usage errors: missing key (exit 1), unknown flag (help on stdout), unknown command (exit 3)', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 500, '{}'));
    expect(await run(['--endpoints', fake.url, 'rm'])).toEqual({ stdout: '', stderr: 'Error:  key required\n', exitCode: 1 });
    expect(await run(['--endpoints', fake.url, 'set', '/k'])).toEqual({ stdout: '', stderr: 'Error:  value required\n', exitCode: 1 });
    const bad = await run(['rmdir', '--bogus']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout.startsWith('Incorrect Usage: flag provided but not defined: -bogus\n\nNAME:\n   etcdctl rmdir')).toBe(true);
    expect(bad.stderr).toBe('flag provided but not defined: -bogus\n');
    expect(await run(['nope'])).toEqual({ stdout: '', stderr: "No help topic for 'nope'\n", exitCode: 3 });
    // user/role/auth are built (H9): an argument count error is answered before any request
    expect(await run(['user', 'list', 'extra'])).toEqual({ stdout: '', stderr: 'No arguments accepted\n', exitCode: 1 });
    expect(fake.seen).toEqual([]);
  });

  test('member list marks the leader', async () => {
    fake = await fakeEtcd(() => undefined);
    expect(await run(['--endpoints', fake.url, 'member', 'list'])).toEqual({
      stdout: `8e9e05c52164694d: name=n1 peerURLs=http://127.0.0.1:2380 clientURLs=${fake.url} isLeader=true\n`,
      stderr: '',
      exitCode: 0,
    });
  });

  test('member remove: by id it removes; by name it hints at the id and fails', async () => {
    fake = await fakeEtcd((method, _u, res) => {
      res.writeHead(method === 'DELETE' ? 204 : 404);
      res.end();
    });
    expect(await run(['--endpoints', fake.url, 'member', 'remove', '8e9e05c52164694d'])).toEqual({
      stdout: 'Removed member 8e9e05c52164694d from cluster\n',
      stderr: '',
      exitCode: 0,
    });
    expect(fake.seen).toContain('DELETE /v2/members/8e9e05c52164694d');
    const byName = await run(['--endpoints', fake.url, 'member', 'remove', 'n1']);
    expect(byName).toEqual({
      stdout: '',
      stderr:
        'Found a member named n1; if this is correct, please use its ID, eg:\n\tetcdctl member remove 8e9e05c52164694d\n' +
        'For more details, read the documentation at https://github.com/etcd-io/etcd/blob/master/Documentation/runtime-configuration.md#remove-a-member\n\n' +
        "Couldn't find a member in the cluster with an ID of n1.\n",
      exitCode: 1,
    });
  });

  test('watch --forever -r prints [action] key lines, skips directories and ends with exit 0 when interrupted', async () => {
    let n = 0;
    fake = await fakeEtcd((_m, _u, res) => {
      n++;
      if (n === 1) reply(res, 200, '{"action":"create","node":{"key":"/w/d","dir":true,"modifiedIndex":11,"createdIndex":11}}');
      else if (n === 2) reply(res, 200, '{"action":"set","node":{"key":"/w/a","value":"1","modifiedIndex":12,"createdIndex":12}}');
      // later polls hang until the watch is interrupted
    });
    const ac = new AbortController();
    const done = run(['--endpoints', fake.url, 'watch', '--forever', '-r', '--after-index', '10', '/w'], { signal: ac.signal });
    for (let i = 0; i < 100 && n < 3; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    expect(await done).toEqual({ stdout: '[set] /w/a\n1\n', stderr: '', exitCode: 0 });
    expect(fake.seen.slice(1)).toEqual([
      'GET /v2/keys/w?recursive=true&wait=true&waitIndex=11',
      'GET /v2/keys/w?recursive=true&wait=true&waitIndex=12',
      'GET /v2/keys/w?recursive=true&wait=true&waitIndex=13',
    ]);
  });

  test('exec-watch runs the command with ETCD_WATCH_* (and without ETCDCTL_API) per event', async () => {
    let n = 0;
    fake = await fakeEtcd((_m, _u, res) => {
      n++;
      if (n === 1) reply(res, 200, '{"action":"update","node":{"key":"/e","value":"v 1","modifiedIndex":30,"createdIndex":2}}');
    });
    const ac = new AbortController();
    // without a flag before the key, etcdctl takes the LAST argument as the key
    const done = run(['--endpoints', fake.url, 'exec-watch', 'sh', '-c', 'echo "$ETCD_WATCH_ACTION|$ETCD_WATCH_KEY|$ETCD_WATCH_VALUE|$ETCD_WATCH_MODIFIED_INDEX|${ETCDCTL_API-unset}"', '/e'], {
      signal: ac.signal,
    });
    let result: Awaited<typeof done> | undefined;
    void done.then((r) => (result = r));
    for (let i = 0; i < 200 && fake.seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await done;
    expect(result).toEqual({ stdout: 'update|/e|v 1|30|unset\n', stderr: '', exitCode: 0 });
  });

  test('exec-watch <key> -- <cmd> without a flag runs <key> as the command, as etcdctl 3.4 does (urfave reordering)', async () => {
    fake = await fakeEtcd((_m, _u, res) => reply(res, 200, '{"action":"set","node":{"key":"/e","value":"v","modifiedIndex":30,"createdIndex":30}}'));
    const r = await run(['--endpoints', fake.url, 'exec-watch', '/e', '--', 'sh', '-c', 'echo hi']);
    expect(r).toEqual({ stdout: '', stderr: 'fork/exec /e: no such file or directory', exitCode: 1 });
    expect(fake.seen[1]).toBe('GET /v2/keys/echo%20hi?recursive=false&wait=true&waitIndex=0');
  });

  test('cluster-health: bad JSON, unhealthy, unreachable and URL-less members, "unavailable" and exit 5', async () => {
    const unhealthy = http.createServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('{"health":"false"}\n');
    });
    await new Promise<void>((r) => unhealthy.listen(0, '127.0.0.1', r));
    const sick = `http://127.0.0.1:${(unhealthy.address() as AddressInfo).port}`;
    const deadServer = http.createServer();
    await new Promise<void>((r) => deadServer.listen(0, '127.0.0.1', r));
    const deadPort = (deadServer.address() as AddressInfo).port;
    await new Promise<void>((r) => deadServer.close(() => r()));
    const dead = `http://127.0.0.1:${deadPort}`;
    let self = '';
    fake = await fakeEtcd((_m, _u, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
    });
    self = fake.url;
    const members = `{"members":[{"id":"a1","name":"n1","peerURLs":[],"clientURLs":["${self}"]},{"id":"b2","name":"n2","peerURLs":[],"clientURLs":["${sick}"]},{"id":"c3","name":"n3","peerURLs":[],"clientURLs":["${dead}"]},{"id":"d4","name":"","peerURLs":["http://x:1"],"clientURLs":[]}]}`;
    const lister = http.createServer((req, res) => {
      if (req.url === '/v2/members') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(members);
      } else {
        res.writeHead(200);
        res.end('{"health":"true"}');
      }
    });
    await new Promise<void>((r) => lister.listen(0, '127.0.0.1', r));
    const listerUrl = `http://127.0.0.1:${(lister.address() as AddressInfo).port}`;
    // n1's client URL is the fake etcd, which answers /health with 404 text: not JSON
    const r = await run(['--endpoints', listerUrl, 'cluster-health']);
    await new Promise<void>((done) => unhealthy.close(() => done()));
    await new Promise<void>((done) => lister.close(() => done()));
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe(
      `failed to check the health of member a1 on ${self}: invalid character 'p' after top-level value\n` +
        `member a1 is unreachable: [${self}] are all unreachable\n` +
        `member b2 is unhealthy: got unhealthy result from ${sick}\n` +
        `failed to check the health of member c3 on ${dead}: Get "${dead}/health": dial tcp 127.0.0.1:${deadPort}: connect: connection refused\n` +
        `member c3 is unreachable: [${dead}] are all unreachable\n` +
        'member d4 is unreachable: no available published client urls\n' +
        'cluster is unavailable\n',
    );
  });

  test('connection refused during sync: exit 2 with the per-endpoint detail', async () => {
    fake = await fakeEtcd(() => undefined);
    const port = new URL(fake.url).port;
    await fake.close();
    fake = await fakeEtcd(() => undefined);
    const r = await run(['--endpoints', `http://127.0.0.1:${port}`, 'get', '/x']);
    const line = `dial tcp 127.0.0.1:${port}: connect: connection refused`;
    expect(r).toEqual({
      stdout: '',
      stderr: `Error:  client: etcd cluster is unavailable or misconfigured; error #0: ${line}\n\nerror #0: ${line}\n\n`,
      exitCode: 2,
    });
  });
});
