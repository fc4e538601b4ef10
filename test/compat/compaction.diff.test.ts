import { defineDiffSuite } from './diff/harness';
import { compactionSteps } from './diff/compaction-steps';

defineDiffSuite('compaction', compactionSteps);
