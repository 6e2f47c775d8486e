import type { Migration } from 'kysely';
import { createProcessedEvents } from './0001-create-processed-events';

export const notificationsMigrations: Record<string, Migration> = {
  '0001-create-processed-events': createProcessedEvents,
};
