import { defineDiffSuite } from './diff/harness';
import { leaseSteps } from './diff/lease-steps';

defineDiffSuite('lease', leaseSteps);
