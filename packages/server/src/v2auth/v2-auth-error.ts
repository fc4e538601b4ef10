// etcd's v2auth.Error: an HTTP status and a message prefixed "auth: ", answered as
// `{"message":"auth: ..."}` by the /v2/auth handlers.

export class V2AuthError extends Error {
  constructor(
    readonly httpStatus: number,
    detail: string,
  ) {
    super(`auth: ${detail}`);
    this.name = 'V2AuthError';
  }
}
