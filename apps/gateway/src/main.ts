import 'reflect-metadata';
import { bootstrapService } from '@shop/platform';
import { AppModule } from './app/app.module';
import { GatewayEnv } from './app/gateway-env';

void bootstrapService({ service: 'gateway', module: AppModule, env: GatewayEnv });
