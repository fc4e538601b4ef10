import { computeClusterId, computeMemberId, formatId } from './member-id';

describe('member and cluster ids (values observed on etcd 3.4.23)', () => {
  it('member id of http://127.0.0.1:32380 in cluster etcd-cluster', () => {
    expect(computeMemberId(['http://127.0.0.1:32380'], 'etcd-cluster')).toBe(0x628170c800dbceen);
  });

  it('default single member: ids as etcd reports them with no flags', () => {
    const memberId = computeMemberId(['http://localhost:2380'], 'etcd-cluster');
    expect(memberId).toBe(10276657743932975437n);
    expect(computeClusterId([memberId])).toBe(14841639068965178418n);
    expect(formatId(memberId)).toBe('8e9e05c52164694d');
  });

  it('peer URL order and member id order do not matter', () => {
    const a = computeMemberId(['http://b:2380', 'http://a:2380'], 't');
    expect(computeMemberId(['http://a:2380', 'http://b:2380'], 't')).toBe(a);
    expect(computeClusterId([3n, 1n, 2n])).toBe(computeClusterId([1n, 2n, 3n]));
  });

  it('runtime-added members mix in the unix second', () => {
    const plain = computeMemberId(['http://a:2380'], 't');
    expect(computeMemberId(['http://a:2380'], 't', 1000)).not.toBe(plain);
    expect(computeMemberId(['http://a:2380'], 't', 1000)).toBe(computeMemberId(['http://a:2380'], 't', 1000.9));
  });
});
