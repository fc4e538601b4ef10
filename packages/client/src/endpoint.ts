// "http://host:port", "https://host:port" or "host:port" -> the host:port grpc-js dials.

export interface ParsedEndpoint {
  address: string;
  secure: boolean;
}

export function parseEndpoint(endpoint: string): ParsedEndpoint {
  const match = /^(https?|unix|unixs):\/\/(.*)$/.exec(endpoint);
  if (match === null) return { address: endpoint.replace(/\/+$/, ''), secure: false };
  const scheme = match[1] as string;
  const rest = (match[2] as string).replace(/\/+$/, '');
  if (scheme === 'unix' || scheme === 'unixs') return { address: `unix:${rest}`, secure: scheme === 'unixs' };
  return { address: rest, secure: scheme === 'https' };
}
