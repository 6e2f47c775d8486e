import { Inject } from '@nestjs/common';

/** The validated environment instance (a subclass of `ServiceEnv`). */
export const APP_ENV = Symbol('APP_ENV');

/** `@InjectEnv() env: OrdersEnv` */
export const InjectEnv = (): ParameterDecorator & PropertyDecorator => Inject(APP_ENV);

/** The service's name (`gateway`, `orders`, ...), used in logs, metrics and consumer names. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');
