import { clusterSteps } from './diff/cluster-steps';
import { defineDiffSuite } from './diff/harness';

defineDiffSuite('cluster', clusterSteps);
