// Applies one simple (non-joint) configuration change to a ProgressTracker, or rebuilds it from a ConfState.
import { assert } from '../assert';
import type { ProgressTracker } from '../tracker/progress-tracker';
import { ConfChangeType, type ConfChange, type ConfState, type NodeId } from '../types';

export class ConfChangeError extends Error {}

function initProgress(t: ProgressTracker, id: NodeId, isLearner: boolean, lastIndex: number): void {
  // Starting next at the last index lets the new member be probed right away.
  const pr = t.newProgress(Math.max(lastIndex, 1), isLearner);
  pr.recentActive = true;
  t.progress.set(id, pr);
}

export function applySimpleChange(t: ProgressTracker, cc: Pick<ConfChange, 'type' | 'nodeId'>, lastIndex: number): void {
  const id = cc.nodeId;
  if (id === 0n) return; // etcd: a zero node id is a no-op change
  switch (cc.type) {
    case ConfChangeType.AddNode: {
      const pr = t.progress.get(id);
      t.learners.delete(id);
      t.voters.add(id);
      if (pr) pr.isLearner = false;
      else initProgress(t, id, false, lastIndex);
      break;
    }
    case ConfChangeType.AddLearnerNode: {
      const pr = t.progress.get(id);
      if (t.voters.has(id) && t.voters.size === 1) throw new ConfChangeError('removed all voters');
      t.voters.delete(id);
      t.learners.add(id);
      if (pr) pr.isLearner = true;
      else initProgress(t, id, true, lastIndex);
      break;
    }
    case ConfChangeType.RemoveNode: {
      if (t.voters.has(id) && t.voters.size === 1) throw new ConfChangeError('removed all voters');
      t.voters.delete(id);
      t.learners.delete(id);
      t.progress.delete(id);
      break;
    }
    case ConfChangeType.UpdateNode:
      break;
    default:
      throw new ConfChangeError(`unexpected conf type ${String(cc.type)}`);
  }
  assert(!([...t.voters].some((v) => t.learners.has(v))), 'a node is both voter and learner');
}

/** Rebuilds the tracker's configuration from a ConfState (restart or snapshot). */
export function restoreConfState(t: ProgressTracker, cs: ConfState, lastIndex: number): void {
  t.voters = new Set();
  t.learners = new Set();
  t.progress = new Map();
  for (const id of cs.voters) initProgress(t, id, false, lastIndex), t.voters.add(id);
  for (const id of cs.learners) {
    assert(!t.voters.has(id), () => `node ${id} is in both voters and learners`);
    initProgress(t, id, true, lastIndex);
    t.learners.add(id);
  }
}
