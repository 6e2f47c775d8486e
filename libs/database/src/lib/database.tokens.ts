import { Inject } from '@nestjs/common';

/** The service's `Kysely` instance. */
export const DATABASE = Symbol('DATABASE');

/** `@InjectDatabase() db: Kysely<OrdersDb>` */
export const InjectDatabase = (): ParameterDecorator & PropertyDecorator => Inject(DATABASE);
