import { defineDiffSuite } from './diff/harness';
import { maintenanceSteps } from './diff/maintenance-steps';

defineDiffSuite('maintenance', maintenanceSteps);
