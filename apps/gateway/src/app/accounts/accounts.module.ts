import { Module } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import type { GatewayEnv } from '../gateway-env';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { AdminAccount } from './admin-account';
import { PasswordHasher } from './password-hasher';

@Module({
  providers: [
    AccountsRepository,
    AccountsService,
    AdminAccount,
    {
      provide: PasswordHasher,
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => new PasswordHasher(env.PASSWORD_SCRYPT_LOG_N),
    },
  ],
  exports: [AccountsService],
})
export class AccountsModule {}
