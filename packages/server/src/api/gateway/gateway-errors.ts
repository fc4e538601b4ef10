// How etcd's grpc-gateway (v1.9.5) renders a gRPC status over HTTP: the status from the code,
// the unary body {"error","message","code"}, the streaming chunk {"error":{grpc_code,...}}.

import { toGrpcStatus } from '@tsetcd/api';

const HTTP_STATUS_BY_CODE: readonly number[] = [200, 408, 500, 400, 504, 404, 409, 403, 429, 412, 409, 400, 501, 500, 503, 500, 401];

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function httpStatusOf(code: number): number {
  return HTTP_STATUS_BY_CODE[code] ?? 500;
}

export interface GatewayError {
  readonly status: number;
  readonly body: string;
}

/** Unary error: HTTP status by code, body `{"error":m,"message":m,"code":c}`. */
export function unaryErrorOf(code: number, message: string): GatewayError {
  return { status: httpStatusOf(code), body: JSON.stringify({ error: message, message, code }) };
}

export function unaryError(err: unknown): GatewayError {
  const { code, message } = toGrpcStatus(err);
  return unaryErrorOf(code, message);
}

/** A stream's error chunk (without the trailing newline). */
export function streamErrorChunk(err: unknown): { status: number; line: string } {
  const { code, message } = toGrpcStatus(err);
  const status = httpStatusOf(code);
  const line = JSON.stringify({ error: { grpc_code: code, http_code: status, message, http_status: STATUS_TEXT[status] ?? '' } });
  return { status, line };
}
