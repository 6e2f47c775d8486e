export { SessionIdMismatchError } from './lib/errors';
export { RedisSessionStore, type SessionAuth } from './lib/redis-session-store';
export type { SessionList, SessionSummary } from './lib/session-index';
export { newSid, tagOfSid, userTag } from './lib/session-keys';
export {
  resolveSessionsOptions,
  type Duration,
  type ResolvedSessionsOptions,
  type SessionsOptions,
} from './lib/sessions-options';
export { SessionsModule, InjectSessionStore } from './lib/sessions.module';
export { SESSIONS_MODULE_OPTIONS, type SessionsModuleOptions } from './lib/sessions.module-definition';
