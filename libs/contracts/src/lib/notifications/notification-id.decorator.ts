import { Matches } from 'class-validator';

/** A Redis Stream entry id, `<ms>-<seq>`. */
export const NOTIFICATION_ID_PATTERN = /^\d{1,15}-\d{1,10}$/;

export const IsNotificationId = (field = 'id') =>
  Matches(NOTIFICATION_ID_PATTERN, { message: `${field} must be a notification id (<ms>-<seq>)` });
