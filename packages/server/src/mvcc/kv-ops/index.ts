export { applyCompaction, applyDeleteRange, applyPut, applyRange, applyTxn, type Applied } from './apply';
export { mkGteRange, revisionHeader, type TxnView } from './common';
export { applyCompare, applyCompares, compareKV } from './compare';
export { compactOp, type CompactApplied } from './compact';
export { deleteRangeOp } from './delete-range';
export { putOp } from './put';
export { rangeOp } from './range';
export { isTxnReadonly, isTxnSerializable, txnOp } from './txn';
export {
  checkDeleteRequest,
  checkPutRequest,
  checkRangeRequest,
  checkTxnRequest,
  DEFAULT_MAX_TXN_OPS,
} from './validate';
