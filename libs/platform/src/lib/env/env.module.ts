import { Module, type DynamicModule } from '@nestjs/common';
import { APP_ENV, SERVICE_NAME } from './env.tokens';
import type { ServiceEnv } from './service-env';
import { validateEnv } from './validate-env';

/**
 * Validates `process.env` against the service's env class when the app is created (not when a module
 * file is imported, so tests can set variables first) and provides the typed result as `APP_ENV`.
 */
@Module({})
export class EnvModule {
  static forRoot(service: string, envClass: new () => ServiceEnv): DynamicModule {
    return {
      module: EnvModule,
      global: true,
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: APP_ENV, useFactory: () => validateEnv(envClass) },
      ],
      exports: [APP_ENV, SERVICE_NAME],
    };
  }
}
