export { V2Store, V2_AUTH_ENABLED_PATH, type TtlOptions, type V2StoreOptions } from './v2-store';
export { V2Error, V2_ERROR_CODES, v2ErrorMessage, type V2ErrorJson } from './v2-error';
export { V2_ACTIONS, v2EventJson, type V2Action, type V2Event, type V2NodeExtern } from './v2-event';
export { V2Watcher } from './watcher-hub';
export { cleanV2Path } from './v2-path';
export type { V2StoreStatsJson } from './v2-store-stats';
