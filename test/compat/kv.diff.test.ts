import { defineDiffSuite } from './diff/harness';
import { kvSteps } from './diff/kv-steps';

defineDiffSuite('kv', kvSteps);
