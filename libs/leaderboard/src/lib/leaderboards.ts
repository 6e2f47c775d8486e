import type { RedisConnections } from '@shop/redis';
import { LeaderboardInputError } from './errors';
import { Leaderboard } from './leaderboard';
import type { LeaderboardModuleOptions } from './leaderboard.module-definition';

/** The boards of a process by name (what `LeaderboardModule` provides). */
export class Leaderboards {
  private readonly boards = new Map<string, Leaderboard>();

  constructor(connections: RedisConnections, options: LeaderboardModuleOptions) {
    const { boards, ...shared } = options;
    for (const name of boards) {
      if (this.boards.has(name)) throw new LeaderboardInputError(`duplicate leaderboard ${name}`);
      this.boards.set(name, new Leaderboard({ ...shared, connections, name }));
    }
  }

  /** A configured board; throws for an unknown name (a typo must not create a new, empty board). */
  get(name: string): Leaderboard {
    const board = this.boards.get(name);
    if (!board) throw new LeaderboardInputError(`unknown leaderboard ${JSON.stringify(name)}`);
    return board;
  }

  names(): string[] {
    return [...this.boards.keys()];
  }
}
