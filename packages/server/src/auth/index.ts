export { AuthStore, ROOT_ROLE, ROOT_USER, type AuthInfo } from './auth-store';
export { JwtTokenProvider, parseJwtOptions, parseGoDuration, JWT_TTL_DEFAULT_MS, type JwtOptions } from './jwt-token';
export { hashPassword, verifyPassword } from './password';
export { buildUserPerms, covers, isRangeOpPermitted, mergeIntervals, toInterval, type UserPerms } from './range-perm';
export {
  SimpleTokenProvider,
  createTokenProvider,
  isSimpleTokenFormat,
  SIMPLE_TOKEN_LENGTH,
  SIMPLE_TOKEN_TTL_DEFAULT_SECONDS,
  type TokenInfo,
  type TokenProvider,
} from './simple-token';
