import { authSteps } from './diff/auth-steps';
import { defineDiffSuite } from './diff/harness';

defineDiffSuite('auth', authSteps);
