import { Module } from '@nestjs/common';
import { OutboxService } from './outbox.service';

/** The outbox relay of this instance. */
@Module({ providers: [OutboxService] })
export class OutboxModule {}
