// Users, roles, permissions and enabling auth: management errors, tokens, permission checks,
// then auth disabled again. Fresh store. Simple tokens are random and masked (`token`).
import { authpb } from '@tsetcd/api';
import { bytes, fails, prefixEnd, put, range, step, type Call, type Step } from './steps';

const Permission_Type = authpb.Permission_Type;
const auth = (method: string, request: Record<string, unknown> = {}): Call => ({ service: 'Auth', method, request });
const userAdd = (name: string, password: string): Call => auth('userAdd', { name, password });
const grantRole = (user: string, role: string): Call => auth('userGrantRole', { user, role });
const authenticate = (name: string, password: string): Call => auth('authenticate', { name, password });

/** The token a named earlier step (an Authenticate) returned on this server. */
const tokenOf = (stepName: string) => (previous: readonly unknown[]): string => {
  const index = authSteps.findIndex((s) => s.name === stepName);
  return (previous[index] as { token?: string } | undefined)?.token ?? '';
};
const withToken = (call: Call, stepName: string): Call => ({ ...call, token: tokenOf(stepName) });
const ROOT_LOGIN = 'authenticate root';
const ALICE_LOGIN = 'authenticate alice';
const TOKEN = { volatile: ['token'] };

export const authSteps: readonly Step[] = [
  fails('authenticate while auth is disabled', authenticate('root', 'rootpw'), 'etcdserver: authentication is not enabled'),
  fails('enable auth without a root user', auth('authEnable'), 'etcdserver: root user does not exist'),
  step('add user root', userAdd('root', 'rootpw')),
  fails('add user root again', userAdd('root', 'x'), 'etcdserver: user name already exists'),
  fails('add a user with an empty name', userAdd('', 'x'), 'etcdserver: user name is empty'),
  fails('enable auth while root lacks the root role', auth('authEnable'), 'etcdserver: root user does not have root role'),
  step('grant root the root role', grantRole('root', 'root')),
  step('add role reader', auth('roleAdd', { name: 'reader' })),
  fails('add role reader again', auth('roleAdd', { name: 'reader' }), 'etcdserver: role name already exists'),
  fails('add a role with an empty name', auth('roleAdd', { name: '' }), 'etcdserver: role name is empty'),
  step('grant reader READ on pub/', auth('roleGrantPermission', { name: 'reader', perm: { permType: Permission_Type.READ, key: bytes('pub/'), rangeEnd: bytes(prefixEnd('pub/')) } })),
  step('grant reader WRITE on one key', auth('roleGrantPermission', { name: 'reader', perm: { permType: Permission_Type.WRITE, key: bytes('pub/w'), rangeEnd: bytes('') } })),
  fails('grant a permission to a missing role', auth('roleGrantPermission', { name: 'nobody', perm: { permType: Permission_Type.READ, key: bytes('x') } }), 'etcdserver: role name not found'),
  step('add user alice', userAdd('alice', 'apw')),
  step('grant alice reader', grantRole('alice', 'reader')),
  fails('grant alice a missing role', grantRole('alice', 'nosuchrole'), 'etcdserver: role name not found'),
  fails('grant a role to a missing user', grantRole('bob', 'reader'), 'etcdserver: user name not found'),
  step('get user alice', auth('userGet', { name: 'alice' })),
  step('list users', auth('userList')),
  step('get role reader', auth('roleGet', { role: 'reader' })),
  step('list roles', auth('roleList')),
  fails('get a missing user', auth('userGet', { name: 'bob' }), 'etcdserver: user name not found'),
  fails('get a missing role', auth('roleGet', { role: 'nobody' }), 'etcdserver: role name not found'),
  step('put pub/a before enabling', put('pub/a', '1')),
  step('enable auth', auth('authEnable')),
  fails('put without a token', put('k', 'v'), 'etcdserver: user name is empty'),
  fails('range without a token', range('pub/a'), 'etcdserver: user name is empty'),
  fails('authenticate root with a wrong password', authenticate('root', 'nope'), 'etcdserver: authentication failed, invalid user ID or password'),
  fails('authenticate an unknown user', authenticate('bob', 'x'), 'etcdserver: authentication failed, invalid user ID or password'),
  step(ROOT_LOGIN, authenticate('root', 'rootpw'), TOKEN),
  step(ALICE_LOGIN, authenticate('alice', 'apw'), TOKEN),
  step('root puts anywhere', withToken(put('secret', 's'), ROOT_LOGIN)),
  step('alice reads pub/', withToken(range('pub/', { end: prefixEnd('pub/') }), ALICE_LOGIN)),
  step('alice writes her one key', withToken(put('pub/w', 'w'), ALICE_LOGIN)),
  fails('alice writes elsewhere in pub/', withToken(put('pub/a', '2'), ALICE_LOGIN), 'etcdserver: permission denied'),
  fails('alice reads a secret', withToken(range('secret'), ALICE_LOGIN), 'etcdserver: permission denied'),
  fails('alice ranges beyond her prefix', withToken(range('pub/', { end: 'pub1' }), ALICE_LOGIN), 'etcdserver: permission denied'),
  fails('alice adds a user', withToken(userAdd('carol', 'c'), ALICE_LOGIN), 'etcdserver: permission denied'),
  fails('an invalid token', { ...put('k', 'v'), token: () => 'not-a-token' }, 'etcdserver: invalid auth token'),
  fails('root deletes root while enabled', withToken(auth('userDelete', { name: 'root' }), ROOT_LOGIN), 'etcdserver: invalid auth management'),
  fails('root revokes its root role while enabled', withToken(auth('userRevokeRole', { name: 'root', role: 'root' }), ROOT_LOGIN), 'etcdserver: invalid auth management'),
  step('root changes alice\'s password', withToken(auth('userChangePassword', { name: 'alice', password: 'apw2' }), ROOT_LOGIN)),
  fails('alice\'s old password no longer works', authenticate('alice', 'apw'), 'etcdserver: authentication failed, invalid user ID or password'),
  step('disable auth', withToken(auth('authDisable'), ROOT_LOGIN)),
  step('put without a token again', put('k', 'v')),
  fails('revoke a role alice does not have', auth('userRevokeRole', { name: 'alice', role: 'root' }), 'etcdserver: role is not granted to the user'),
  fails('revoke a permission reader does not have', auth('roleRevokePermission', { role: 'reader', key: bytes('nope'), rangeEnd: bytes('') }), 'etcdserver: permission is not granted to the role'),
  step('revoke reader\'s WRITE permission', auth('roleRevokePermission', { role: 'reader', key: bytes('pub/w'), rangeEnd: bytes('') })),
  step('revoke alice\'s reader role', auth('userRevokeRole', { name: 'alice', role: 'reader' })),
  step('delete user alice', auth('userDelete', { name: 'alice' })),
  fails('delete user alice again', auth('userDelete', { name: 'alice' }), 'etcdserver: user name not found'),
  step('delete role reader', auth('roleDelete', { role: 'reader' })),
  fails('delete role reader again', auth('roleDelete', { role: 'reader' }), 'etcdserver: role name not found'),
  step('list users at the end', auth('userList')),
  fails('authenticate after disabling', authenticate('root', 'rootpw'), 'etcdserver: authentication is not enabled'),
];


