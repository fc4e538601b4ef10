// etcdserverpb.KV: decode -> member -> encode; the member fills headers and throws EtcdErrors.

import { KVDefinition } from '@tsetcd/api';
import type { KvServer } from '../../etcdserver/server-api';
import type { GrpcServer } from './server';

export function registerKvService(server: GrpcServer, kv: KvServer): void {
  server.addService(KVDefinition, {
    range: (req, ctx) => kv.range(req, ctx),
    put: (req, ctx) => kv.put(req, ctx),
    deleteRange: (req, ctx) => kv.deleteRange(req, ctx),
    txn: (req, ctx) => kv.txn(req, ctx),
    compact: (req, ctx) => kv.compact(req, ctx),
  });
}
