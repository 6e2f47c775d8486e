import { ApiProperty } from '@nestjs/swagger';
import { IsNotificationId } from '@shop/contracts';
import { PageQuery } from '../api/dto/page.dto';

export class NotificationIdParam {
  @ApiProperty({ example: '1796221814064-0', pattern: '^\\d{1,15}-\\d{1,10}$' })
  @IsNotificationId()
  id!: string;
}

/** `GET /api/notifications?cursor=&limit=`: my feed, newest first. */
export class ListNotificationsQuery extends PageQuery {}
