import type { Migration } from 'kysely';
import { createAccounts } from './0001-create-accounts';
import { accountUsername } from './0002-account-username';

export const gatewayMigrations: Record<string, Migration> = {
  '0001-create-accounts': createAccounts,
  '0002-account-username': accountUsername,
};
