import { ConflictException, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectEnv } from '@shop/platform';
import { randomBytes } from 'node:crypto';
import type { GatewayEnv } from '../gateway-env';
import { AccountsService } from './accounts.service';

/**
 * The admin account from `ADMIN_USERNAME` / `ADMIN_PASSWORD`, created or updated at start. Without a
 * password, a first start generates one and prints it once (stderr, not the JSON log); later starts keep
 * whatever the account has.
 */
@Injectable()
export class AdminAccount implements OnApplicationBootstrap {
  private readonly log = new Logger('AdminAccount');

  constructor(
    private readonly accounts: AccountsService,
    @InjectEnv() private readonly env: GatewayEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const username = this.env.ADMIN_USERNAME;
    if (this.env.ADMIN_PASSWORD) {
      const { created } = await this.accounts.ensureAdmin(username, this.env.ADMIN_PASSWORD);
      this.log.log({ msg: created ? 'admin account created' : 'admin account updated', username });
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
}
