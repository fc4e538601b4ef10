export * from './limits';
export * from './server-config';
export { FLAGS, FLAGS_BY_NAME, flagToEnv, type FlagSpec, type FlagKind } from './flags';
export { parseConfig, validateConfig, defaultConfig, ConfigError, type ParseOutcome } from './parse-config';
export { formatHelp, formatVersion } from './help';
export { parseDurationMs, parseBool, parseInteger, parseUrlList, ValueError } from './values';
export { createServerLogger } from './logger';
export { flagValuesFromConfigFile } from './config-file';
export { parseYaml, YamlError, type YamlValue } from './yaml-lite';
