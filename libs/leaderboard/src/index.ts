export {
  Leaderboard,
  MAX_AROUND,
  MAX_TOP,
  type ApplyResult,
  type AroundResult,
  type LeaderboardEntry,
  type PeriodSelector,
} from './lib/leaderboard';
export type { RebuildOptions, RebuildResult } from './lib/board-rebuild';
export {
  LeaderboardError,
  LeaderboardInputError,
  LeaderboardUnavailableError,
  type LeaderboardErrorCode,
} from './lib/errors';
export {
  EVENT_ID,
  MAX_ENTRIES,
  MEMBER_ID,
  type LeaderboardDelta,
  type LeaderboardEvent,
} from './lib/event-validation';
export type { PeriodKeys } from './lib/leaderboard-keys';
export {
  resolveLeaderboardOptions,
  type Duration,
  type LeaderboardOptions,
  type ResolvedLeaderboardOptions,
} from './lib/leaderboard-options';
export { periodOf, type Period, type PeriodKind } from './lib/periods';
export { MAX_TOTAL } from './lib/score-encoding';
export { topOrFallback, type TopAnswer } from './lib/top-or-fallback';
export { LeaderboardModule } from './lib/leaderboard.module';
export {
  LEADERBOARD_MODULE_OPTIONS,
  type LeaderboardModuleOptions,
} from './lib/leaderboard.module-definition';
export { Leaderboards } from './lib/leaderboards';
