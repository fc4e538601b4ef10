import { defineDiffSuite } from './diff/harness';
import { txnSteps } from './diff/txn-steps';

defineDiffSuite('txn', txnSteps);
