/**
 * The operator's settings: the table (config/settings.ts), reading argv and the environment
 * (config/args.ts), checking the values (config/load.ts) and the API key's checks (config/key.ts).
 */
export { ConfigError, SANDBOX_SCALES, SETTINGS, type Command, type Config, type SandboxScale, type SettingName, type SettingSpec } from "./config/settings.js";
export { loadConfig, loopbackHost, unknownEnvSettings, validateBaseUrl } from "./config/load.js";
export { checkKeyHygiene, describeKeyProblem, isBlockingKeyProblem, KEY_CHECKS, type KeyProblem } from "./config/key.js";
