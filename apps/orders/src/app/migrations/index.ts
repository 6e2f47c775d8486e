import { outboxMigration } from '@shop/messaging';
import type { Migration } from 'kysely';
import { createOrders } from './0001-create-orders';

export const ordersMigrations: Record<string, Migration> = {
  '0001-create-orders': createOrders,
  '0002-outbox': outboxMigration(),
};
