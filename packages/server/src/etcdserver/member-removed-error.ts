/** The member learnt it was removed from the cluster: it stops, and its process ends (exit 0, like etcd). */
export class MemberRemovedError extends Error {
  constructor() {
    super('the member has been permanently removed from the cluster');
    this.name = 'MemberRemovedError';
  }
}
