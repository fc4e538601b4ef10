// Examples talk to ETCD_ENDPOINTS (comma-separated), default a local server on 127.0.0.1:2379.
export const ENDPOINTS = (process.env.ETCD_ENDPOINTS ?? '127.0.0.1:2379').split(',');
