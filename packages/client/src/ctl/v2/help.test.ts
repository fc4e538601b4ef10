import { appHelp, commandHelp, flagHelpLine, subcommandHelp, tabwrite } from './help';
import { V2_COMMANDS, V2_GLOBAL_FLAGS } from './main';

// Expected texts: etcdctl 3.4.23 with ETCDCTL_API=2 (Debian's binary), copied from its output.
const GET_HELP =
  'NAME:\n   etcdctl get - retrieve the value of a key\n\nUSAGE:\n   etcdctl get [command options] <key>\n\n' +
  'OPTIONS:\n   --sort        returns result in sorted order\n   --quorum, -q  require quorum for get request\n   \n';
const RMDIR_HELP = 'NAME:\n   etcdctl rmdir - removes the key if it is an empty directory or a key-value pair\n\nUSAGE:\n   etcdctl rmdir <key>\n';
const MEMBER_HELP =
  'NAME:\n   etcdctl member - member add, remove and list subcommands\n\nUSAGE:\n   etcdctl member command [command options] [arguments...]\n\n' +
  'COMMANDS:\n   list    enumerate existing cluster members\n   add     add a new member to the etcd cluster\n' +
  '   remove  remove an existing member from the etcd cluster\n   update  update an existing member in the etcd cluster\n\n' +
  'OPTIONS:\n   --help, -h  show help\n   \n';

function command(name: string) {
  const c = V2_COMMANDS.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no command ${name}`);
  return c;
}

describe('urfave/cli help screens', () => {
  test('command help with options, aligned like text/tabwriter', () => {
    expect(commandHelp(command('get'))).toBe(GET_HELP);
  });

  test('command help without options has no [command options] and no OPTIONS', () => {
    expect(commandHelp(command('rmdir'))).toBe(RMDIR_HELP);
  });

  test('subcommand group help', () => {
    expect(subcommandHelp(command('member'))).toBe(MEMBER_HELP);
  });

  test('flag lines: placeholder from back-quotes, defaults by kind', () => {
    expect(flagHelpLine({ name: 'output, o', kind: 'string', value: 'simple', usage: 'output response in the given format (`simple`, `extended` or `json`)' })).toBe(
      '--output simple, -o simple\toutput response in the given format (simple, `extended` or `json`) (default: "simple")',
    );
    expect(flagHelpLine({ name: 'ttl', kind: 'int', value: '0', usage: 'key time-to-live in seconds' })).toBe('--ttl value\tkey time-to-live in seconds (default: 0)');
    expect(flagHelpLine({ name: 'timeout', kind: 'duration', value: '2s', usage: 'connection timeout per request' })).toBe(
      '--timeout value\tconnection timeout per request (default: 2s)',
    );
    expect(flagHelpLine({ name: 'p', kind: 'bool', usage: 'append slash (/) to directories' })).toBe('-p\tappend slash (/) to directories');
  });

  test('tabwriter aligns each run of tabbed lines separately', () => {
    expect(tabwrite('a\tx\nlong\ty\n\nbb\tz\n')).toBe('a     x\nlong  y\n\nbb  z\n');
  });

  test('app help lists every command and the global options', () => {
    const text = appHelp(V2_COMMANDS, V2_GLOBAL_FLAGS);
    expect(text).toContain('   cluster-health  check the health of the etcd cluster\n');
    expect(text).toContain('   help, h         Shows a list of commands or help for one command\n');
    expect(text).toContain('   --discovery-srv value, -D value  domain name to query for SRV records describing cluster endpoints\n');
    expect(text.endsWith('   --version, -v                    print the version\n')).toBe(true);
  });
});
