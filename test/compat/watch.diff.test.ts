import { defineWatchSuite } from './diff/watch-harness';
import { watchItems } from './diff/watch-steps';

defineWatchSuite('watch', watchItems);
