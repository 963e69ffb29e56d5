/**
 * The one surface adapters and tools import. Nothing here knows a chat platform.
 */

export { type AppConfig, ConfigError, readConfig } from './config.ts';
export { isCommand as isCommandName, type ParsedCommand, parseCommand } from './engine/commands.ts';
export { createEngine, type Engine, type EngineOptions, pickLocale, resolveRegion } from './engine/engine.ts';
export { ui as uiText } from './engine/render.ts';
export * from './engine/types.ts';
export { type Bundle, loadBundle, validateFlows } from './flow/bundle.ts';
export { FlowLoadError, formatProblem, type Problem } from './flow/problems.ts';
export { type HttpServer, startHttp } from './http.ts';
export { createLogger, type Logger } from './log.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { DEFAULT_STORE, openStore } from './store/open.ts';
export type { SessionStore } from './store/types.ts';
export { StoreConflictError, StoreUnavailableError } from './store/types.ts';
