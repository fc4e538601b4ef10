// The v2 members API: list, leader, add, remove, update (/v2/members).
import type { V2Client } from './client';
import { decodeMember, decodeMemberList } from './decode';
import { V2MembersError, V2UnexpectedStatusError } from './errors';
import type { V2Member } from './types';

export const V2_MEMBERS_PATH = '/v2/members';

function expectStatus(got: number, ...want: number[]): void {
  if (!want.includes(got)) throw new V2UnexpectedStatusError(got);
}

/** Checks peer URLs the way etcd's types.NewURLs does; returns them sorted. */
export function validatePeerUrls(urls: string[]): string[] {
  const out: string[] = [];
  for (const text of urls) {
    let u: URL;
    try {
      u = new URL(text.trim());
    } catch {
      throw new Error(`URL scheme must be http, https, unix, or unixs: ${text}`);
    }
    if (!['http:', 'https:', 'unix:', 'unixs:'].includes(u.protocol)) {
      throw new Error(`URL scheme must be http, https, unix, or unixs: ${text}`);
    }
    if (u.port === '' && !/:\d+$/.test(u.host)) throw new Error(`URL address does not have the form "host:port": ${text}`);
    if (u.pathname !== '' && u.pathname !== '/') throw new Error(`URL must not contain a path: ${text}`);
    out.push(text.trim());
  }
  return out.sort();
}

export class MembersApi {
  constructor(private readonly client: V2Client) {}

  async list(signal?: AbortSignal): Promise<V2Member[]> {
    const res = await this.client.do({ method: 'GET', path: V2_MEMBERS_PATH }, signal ? { signal } : {});
    expectStatus(res.status, 200);
    return decodeMemberList(res.body);
  }

  async leader(signal?: AbortSignal): Promise<V2Member> {
    const res = await this.client.do({ method: 'GET', path: `${V2_MEMBERS_PATH}/leader` }, signal ? { signal } : {});
    expectStatus(res.status, 200);
    return decodeMember(JSON.parse(res.body));
  }

  async add(peerUrl: string, signal?: AbortSignal): Promise<V2Member> {
    const peerURLs = validatePeerUrls([peerUrl]);
    const res = await this.client.do(
      { method: 'POST', path: V2_MEMBERS_PATH, json: JSON.stringify({ peerURLs }) },
      signal ? { signal } : {},
    );
    expectStatus(res.status, 201, 409);
    if (res.status !== 201) throw membersError(res.body, res.status);
    return decodeMember(JSON.parse(res.body));
  }

  /** `memberId` is the hex id as listed. */
  async remove(memberId: string, signal?: AbortSignal): Promise<void> {
    const res = await this.client.do({ method: 'DELETE', path: `${V2_MEMBERS_PATH}/${memberId}` }, signal ? { signal } : {});
    expectStatus(res.status, 204, 410);
  }

  async update(memberId: string, peerUrls: string[], signal?: AbortSignal): Promise<void> {
    const peerURLs = validatePeerUrls(peerUrls);
    const res = await this.client.do(
      { method: 'PUT', path: `${V2_MEMBERS_PATH}/${memberId}`, json: JSON.stringify({ peerURLs }) },
      signal ? { signal } : {},
    );
    expectStatus(res.status, 204, 404, 409);
    if (res.status !== 204) throw membersError(res.body, res.status);
  }
}

function membersError(body: string, status: number): V2MembersError {
  let message = '';
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    message = body.trim();
  }
  return new V2MembersError(message, status);
}
