export { type Clock, ManualClock, systemClock } from './clock.js';
export {
  type BatonConfig,
  type ConfigOverrides,
  type ConnectorSettings,
  compileConfig,
  configFromEnv,
  configFromFile,
  defaultConfig,
} from './config.js';
export { type Duration, toMs } from './duration.js';
export * from './errors.js';
export { newId, seededRandom } from './ids.js';
export { createLogger, type Logger, type LogLevel, silentLogger } from './logger.js';
export type { WebhookSettings } from './webhook-config.js';
