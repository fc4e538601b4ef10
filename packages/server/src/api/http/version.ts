// GET /version: etcd's shape, reporting the etcd versions we are compatible with.

import { CLUSTER_VERSION, SERVER_VERSION } from '../../config/limits';
import { methodNotAllowed } from './responses';
import type { HttpHandler, HttpResponse } from './types';

const VERSION_RESPONSE: HttpResponse = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ etcdserver: SERVER_VERSION, etcdcluster: CLUSTER_VERSION }),
};

export const versionHandler: HttpHandler = (req) => (req.method === 'GET' ? VERSION_RESPONSE : methodNotAllowed('GET'));
