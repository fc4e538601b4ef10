// `tsetcd --help` and `tsetcd --version` texts, shaped like etcd's so scripts parse them the same way.

import { FLAGS } from './flags';
import { SERVER_VERSION, TSETCD_VERSION } from './limits';

const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** etcd's four lines; "Go Version" carries the Node.js runtime, "Git SHA" names tsetcd. */
export function formatVersion(): string {
  const arch = GO_ARCH[process.arch] ?? process.arch;
  return [
    `etcd Version: ${SERVER_VERSION}`,
    `Git SHA: tsetcd-${TSETCD_VERSION}`,
    `Go Version: node${process.versions.node}`,
    `Go OS/Arch: ${process.platform}/${arch}`,
    '',
  ].join('\n');
}

export function formatHelp(): string {
  const lines = [
    'Usage:',
    '',
    '  tsetcd [flags]',
    '    Start a tsetcd server (etcd 3.4 compatible).',
    '',
    '  tsetcd --version',
    '    Show the version of tsetcd.',
    '',
    '  tsetcd -h | --help',
    '    Show the help information about tsetcd.',
    '',
    '  tsetcd --config-file',
    '    Path to the server configuration file (YAML, keys are flag names). Other flags and environment variables are then ignored.',
    '',
    'Every flag --foo-bar can also be given as the environment variable ETCD_FOO_BAR.',
  ];
  let group = '';
  for (const flag of FLAGS) {
    if (flag.hidden) continue;
    if (flag.group !== group) {
      group = flag.group;
      lines.push('', `${group}:`);
    }
    lines.push(`  --${flag.name} '${flag.defaultText}'`, `    ${flag.help}`);
  }
  lines.push('');
  return lines.join('\n');
}
