import type { Migration } from 'kysely';
import { createAccounts } from './0001-create-accounts';

export const gatewayMigrations: Record<string, Migration> = {
  '0001-create-accounts': createAccounts,
};
