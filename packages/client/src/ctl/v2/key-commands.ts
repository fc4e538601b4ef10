// set, mk, mkdir, setdir, update, updatedir, rm, rmdir, get, ls: etcdctl 3.4's v2 key commands.
import type { V2Node, V2Response, V2SetOptions } from '../../v2';
import { EXIT_BAD_ARGS, EXIT_SERVER_ERROR, type V2Ctl } from './context';
import { TTL_FLAG, type V2Command } from './command';
import { formatResponse } from './format';

function print(ctl: V2Ctl, resp: V2Response): void {
  const [out, err] = formatResponse(resp, ctl.output);
  if (out) ctl.io.out(out);
  if (err) ctl.io.err(err);
}

function keyArg(ctl: V2Ctl): string {
  const key = ctl.args[0];
  if (key === undefined) ctl.fail(EXIT_BAD_ARGS, new Error('key required'));
  return key;
}

async function valueArg(ctl: V2Ctl): Promise<string> {
  const value = await ctl.argOrStdin(1);
  if (value === undefined) ctl.fail(EXIT_BAD_ARGS, new Error('value required'));
  return value;
}

/** Runs one request under --total-timeout; a failure is `Error:  …` and exit 4. */
async function call(ctl: V2Ctl, op: (signal: AbortSignal | undefined) => Promise<V2Response>): Promise<V2Response> {
  try {
    return await op(ctl.totalTimeoutSignal());
  } catch (err) {
    ctl.fail(EXIT_SERVER_ERROR, err);
  }
}

async function setLike(ctl: V2Ctl, options: V2SetOptions): Promise<void> {
  const key = keyArg(ctl);
  const value = await valueArg(ctl);
  const client = await ctl.client();
  const resp = await call(ctl, (signal) =>
    client.keys.set(key, value, { ...options, ttlSeconds: ctl.int('ttl'), ...(signal ? { signal } : {}) }),
  );
  print(ctl, resp);
}

async function dirLike(ctl: V2Ctl, prevExist: V2SetOptions['prevExist']): Promise<void> {
  const key = keyArg(ctl);
  const client = await ctl.client();
  const resp = await call(ctl, (signal) =>
    client.keys.set(key, '', { dir: true, ttlSeconds: ctl.int('ttl'), ...(prevExist ? { prevExist } : {}), ...(signal ? { signal } : {}) }),
  );
  if (ctl.output !== 'simple') print(ctl, resp);
}

export const setCommand: V2Command = {
  name: 'set',
  usage: 'set the value of a key',
  argsUsage: '<key> <value>',
  description:
    "Set sets the value of a key.\n\n   When <value> begins with '-', <value> is interpreted as a flag.\n   Insert '--' for workaround:\n\n   $ set -- <key> <value>",
  flags: [
    TTL_FLAG,
    { name: 'swap-with-value', kind: 'string', usage: 'previous value' },
    { name: 'swap-with-index', kind: 'int', value: '0', usage: 'previous index' },
  ],
  run: (ctl) => setLike(ctl, { prevValue: ctl.string('swap-with-value'), prevIndex: BigInt(Math.max(0, ctl.int('swap-with-index'))) }),
};

export const mkCommand: V2Command = {
  name: 'mk',
  usage: 'make a new key with a given value',
  argsUsage: '<key> <value>',
  flags: [{ name: 'in-order', kind: 'bool', usage: 'create in-order key under directory <key>' }, TTL_FLAG],
  run: async (ctl) => {
    if (!ctl.bool('in-order')) return setLike(ctl, { prevExist: 'noexist' });
    const key = keyArg(ctl);
    const value = await valueArg(ctl);
    const client = await ctl.client();
    const resp = await call(ctl, (signal) =>
      client.keys.createInOrder(key, value, { ttlSeconds: ctl.int('ttl'), ...(signal ? { signal } : {}) }),
    );
    print(ctl, resp);
  },
};

export const updateCommand: V2Command = {
  name: 'update',
  usage: 'update an existing key with a given value',
  argsUsage: '<key> <value>',
  flags: [TTL_FLAG],
  run: (ctl) => setLike(ctl, { prevExist: 'exist' }),
};

export const mkdirCommand: V2Command = {
  name: 'mkdir',
  usage: 'make a new directory',
  argsUsage: '<key>',
  flags: [TTL_FLAG],
  run: (ctl) => dirLike(ctl, 'noexist'),
};

export const setdirCommand: V2Command = {
  name: 'setdir',
  usage: 'create a new directory or update an existing directory TTL',
  argsUsage: '<key>',
  flags: [TTL_FLAG],
  run: (ctl) => dirLike(ctl, undefined),
};

export const updatedirCommand: V2Command = {
  name: 'updatedir',
  usage: 'update an existing directory',
  argsUsage: '<key> <value>',
  flags: [TTL_FLAG],
  run: (ctl) => dirLike(ctl, 'exist'),
};

async function remove(ctl: V2Ctl, options: { dir: boolean; recursive?: boolean; prevValue?: string; prevIndex?: bigint }): Promise<void> {
  const key = keyArg(ctl);
  const client = await ctl.client();
  const resp = await call(ctl, (signal) => client.keys.delete(key, { ...options, ...(signal ? { signal } : {}) }));
  if (!resp.node?.dir || ctl.output !== 'simple') print(ctl, resp);
}

export const rmCommand: V2Command = {
  name: 'rm',
  usage: 'remove a key or a directory',
  argsUsage: '<key>',
  flags: [
    { name: 'dir', kind: 'bool', usage: 'removes the key if it is an empty directory or a key-value pair' },
    { name: 'recursive, r', kind: 'bool', usage: 'removes the key and all child keys(if it is a directory)' },
    { name: 'with-value', kind: 'string', usage: 'previous value' },
    { name: 'with-index', kind: 'int', value: '0', usage: 'previous index' },
  ],
  run: (ctl) =>
    remove(ctl, {
      dir: ctl.bool('dir'),
      recursive: ctl.bool('recursive'),
      prevValue: ctl.string('with-value'),
      prevIndex: BigInt(Math.max(0, ctl.int('with-index'))),
    }),
};

export const rmdirCommand: V2Command = {
  name: 'rmdir',
  usage: 'removes the key if it is an empty directory or a key-value pair',
  argsUsage: '<key>',
  run: (ctl) => remove(ctl, { dir: true }),
};

export const getCommand: V2Command = {
  name: 'get',
  usage: 'retrieve the value of a key',
  argsUsage: '<key>',
  flags: [
    { name: 'sort', kind: 'bool', usage: 'returns result in sorted order' },
    { name: 'quorum, q', kind: 'bool', usage: 'require quorum for get request' },
  ],
  run: async (ctl) => {
    const key = keyArg(ctl);
    const client = await ctl.client();
    const resp = await call(ctl, (signal) =>
      client.keys.get(key, { sorted: ctl.bool('sort'), quorum: ctl.bool('quorum'), ...(signal ? { signal } : {}) }),
    );
    if (resp.node?.dir) {
      ctl.io.err(`${resp.node.key}: is a directory\n`);
      ctl.exit(1);
    }
    print(ctl, resp);
  },
};

export const lsCommand: V2Command = {
  name: 'ls',
  usage: 'retrieve a directory',
  argsUsage: '[key]',
  flags: [
    { name: 'sort', kind: 'bool', usage: 'returns result in sorted order' },
    { name: 'recursive, r', kind: 'bool', usage: 'returns all key names recursively for the given path' },
    { name: 'p', kind: 'bool', usage: 'append slash (/) to directories' },
    { name: 'quorum, q', kind: 'bool', usage: 'require quorum for get request' },
  ],
  run: async (ctl) => {
    const key = ctl.args[0] ?? '/';
    const client = await ctl.client();
    const resp = await call(ctl, (signal) =>
      client.keys.get(key, {
        sorted: ctl.bool('sort'),
        recursive: ctl.bool('recursive'),
        quorum: ctl.bool('quorum'),
        ...(signal ? { signal } : {}),
      }),
    );
    if (ctl.output !== 'simple') {
      print(ctl, resp);
      return;
    }
    let out = '';
    if (!resp.node?.dir) out += `${resp.node?.key ?? ''}\n`;
    const walk = (n: V2Node): void => {
      out += n.dir && ctl.bool('p') ? `${n.key}/\n` : `${n.key}\n`;
      for (const child of n.nodes ?? []) walk(child);
    };
    for (const child of resp.node?.nodes ?? []) walk(child);
    ctl.io.out(out);
  },
};

export const KEY_COMMANDS: V2Command[] = [
  mkCommand,
  mkdirCommand,
  rmCommand,
  rmdirCommand,
  getCommand,
  lsCommand,
  setCommand,
  setdirCommand,
  updateCommand,
  updatedirCommand,
];
