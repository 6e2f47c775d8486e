import { ServiceEnv } from '@shop/platform';

/** The notifications service's environment: the shared variables with this service's defaults. */
export class NotificationsEnv extends ServiceEnv {
  override PORT = 3200;
  override DATABASE_URL = 'sqlite:./data/notifications.sqlite';
}
