// etcd 3.4's v2 auth (/v2/auth and its checks on /v2/keys and /v2/members).
export * from '../pkg/bcrypt';
export * from './v2-access';
export * from './v2-auth-error';
export * from './v2-auth-types';
export * from './v2-permissions';
export * from './v2-security-store';
