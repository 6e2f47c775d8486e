import 'reflect-metadata';
import { bootstrapService } from '@shop/platform';
import { AppModule } from './app/app.module';
import { OrdersEnv } from './app/orders-env';

void bootstrapService({ service: 'orders', module: AppModule, env: OrdersEnv, microservice: true });
