import { Injectable } from '@nestjs/common';
import type { Role } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import type { Kysely, Selectable } from 'kysely';
import type { AccountTable, GatewayDb } from '../db/gateway-db';

export type AccountRow = Selectable<AccountTable>;

@Injectable()
export class AccountsRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<GatewayDb>) {}

  byUsername(username: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('account').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** Usernames of up to a few hundred ids (leaderboard rows), by id. */
  async usernames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('account')
      .select(['id', 'username'])
      .where('id', 'in', [...new Set(ids)])
      .execute();
    return new Map(rows.map((r) => [r.id, r.username]));
  }

  /** Inserts; `false` when the username is taken (the unique index decides, so two instances cannot both win). */
  async insert(row: AccountRow): Promise<boolean> {
    const inserted = await this.db
      .insertInto('account')
      .values(row)
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async update(id: string, change: { password_hash?: string; role?: Role }): Promise<void> {
    await this.db
      .updateTable('account')
      .set({ ...change, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }
}
