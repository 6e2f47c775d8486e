import { Inject, Module } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { RedisSessionStore } from './redis-session-store';
import {
  ConfigurableModuleClass,
  SESSIONS_MODULE_OPTIONS,
  type SessionsModuleOptions,
} from './sessions.module-definition';

/**
 * Provides `RedisSessionStore` on the connections of `RedisModule`; the app passes it to
 * `express-session` (`app.use(session({ store, genid: store.genid, ... }))`).
 *
 * @example
 * SessionsModule.forRoot({ idleTtl: '30m', absoluteTtl: '12h' })
 */
@Module({
  providers: [
    {
      provide: RedisSessionStore,
      inject: [RedisConnections, SESSIONS_MODULE_OPTIONS],
      useFactory: (connections: RedisConnections, options: SessionsModuleOptions) =>
        new RedisSessionStore({ ...options, connections }),
    },
  ],
  exports: [RedisSessionStore],
})
export class SessionsModule extends ConfigurableModuleClass {}

/** Injects the store into a Nest provider (same as injecting `RedisSessionStore` by class). */
export const InjectSessionStore = (): ParameterDecorator => Inject(RedisSessionStore);
