import { ConflictException, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectEnv } from '@shop/platform';
import { RedisSessionStore } from '@shop/sessions';
import { randomBytes } from 'node:crypto';
import type { GatewayEnv } from '../gateway-env';
import { AccountsService } from './accounts.service';

/**
 * The admin account from `ADMIN_USERNAME` / `ADMIN_PASSWORD`, created or updated at start. Without a
 * password, a first start generates one and prints it once (stderr, not the JSON log); later starts keep
 * whatever the account has. When a start changed an existing account (made it admin, or set another
 * password), its sessions opened before are ended: they carry the old role, or were opened with a
 * password that is no longer valid.
 */
@Injectable()
export class AdminAccount implements OnApplicationBootstrap {
  private readonly log = new Logger('AdminAccount');

  constructor(
    private readonly accounts: AccountsService,
    private readonly sessions: RedisSessionStore,
    @InjectEnv() private readonly env: GatewayEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const username = this.env.ADMIN_USERNAME;
    if (this.env.ADMIN_PASSWORD) {
      const { created, changed, id } = await this.accounts.ensureAdmin(username, this.env.ADMIN_PASSWORD);
      this.log.log({ msg: created ? 'admin account created' : 'admin account updated', username });
      if (changed) await this.endSessions(id, username);
      return;
    }
    const generated = randomBytes(18).toString('base64url');
    try {
      await this.accounts.register(username, generated, 'admin');
    } catch (err) {
      if (err instanceof ConflictException) return; // it exists: keep its password
      throw err;
    }
    this.log.warn({ msg: 'admin account created with a generated password (printed once)', username });
    process.stderr.write(`\nadmin account "${username}" created; its password: ${generated}\n\n`);
  }

  /** Best effort: a Redis outage at start must not stop the gateway (the sessions then expire on their own). */
  private async endSessions(id: string, username: string): Promise<void> {
    try {
      const ended = await this.sessions.revokeAllSessions(id);
      if (ended > 0) this.log.log({ msg: 'sessions opened before the admin change ended', username, ended });
    } catch (err) {
      this.log.warn({
        msg: 'could not end the sessions opened before the admin change; they end at their expiry',
        username,
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
