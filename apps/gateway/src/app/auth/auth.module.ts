import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import { SessionsModule } from '@shop/sessions';
import { AccountsModule } from '../accounts/accounts.module';
import type { GatewayEnv } from '../gateway-env';
import { AuthController } from './auth.controller';
import { SessionMiddleware } from './session.middleware';

/** Accounts, login/logout and the session list; sessions are loaded for `/api` routes only. */
@Module({
  imports: [
    AccountsModule,
    SessionsModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => ({
        idleTtl: env.SESSION_IDLE_TTL as `${number}m`,
        absoluteTtl: env.SESSION_ABSOLUTE_TTL as `${number}h`,
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [SessionMiddleware],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes('api/{*path}');
  }
}
