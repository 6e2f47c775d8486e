import { Module } from '@nestjs/common';
import { serviceInfrastructure } from '@shop/platform';
import { GatewayEnv } from './gateway-env';
import { serviceClients } from './service-clients';
import { SystemController } from './system.controller';
import { gatewayMigrations } from './migrations';

/** The gateway service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    ...serviceInfrastructure({ service: 'gateway', env: GatewayEnv, migrations: gatewayMigrations }),
    serviceClients,
  ],
  controllers: [SystemController],
})
export class AppModule {}
