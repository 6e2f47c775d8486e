import type { Migration } from 'kysely';
import { createProcessedEvents } from './0001-create-processed-events';
import { dropProcessedEvents } from './0002-drop-processed-events';

export const notificationsMigrations: Record<string, Migration> = {
  '0001-create-processed-events': createProcessedEvents,
  '0002-drop-processed-events': dropProcessedEvents,
};
