import { IsString, Length } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsOrderId } from './order-id.decorator';
import { MAX_TRACKING_NOTE } from './order-rules';

/** `orders.setTracking` (admin): the courier's note on a paid or shipped order. Reply: `Order`. */
export class SetTrackingNoteDto extends WithCallerDto {
  @IsOrderId()
  id!: string;

  @IsString()
  @Length(1, MAX_TRACKING_NOTE)
  note!: string;
}
