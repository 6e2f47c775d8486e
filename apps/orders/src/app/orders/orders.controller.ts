import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CancelOrderDto,
  ChangeOrderStatusDto,
  CreateOrderDto,
  DeleteOrderDto,
  GetOrderDto,
  ListOrdersDto,
  ORDERS_COMMANDS,
  SetTrackingNoteDto,
  UpdateOrderItemsDto,
  type Order,
  type OrderDeleted,
  type Page,
} from '@shop/contracts';
import { OrderStatusService } from './order-status.service';
import { OrdersService } from './orders.service';

/** Order commands over the Streams transport (payloads validated by the global pipe). */
@Controller()
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly status: OrderStatusService,
  ) {}

  @MessagePattern(ORDERS_COMMANDS.create)
  create(@Payload() dto: CreateOrderDto): Promise<Order> {
    return this.orders.create(dto);
  }

  @MessagePattern(ORDERS_COMMANDS.get)
  get(@Payload() dto: GetOrderDto): Promise<Order> {
    return this.orders.get(dto.caller, dto.id);
  }

  @MessagePattern(ORDERS_COMMANDS.list)
  list(@Payload() dto: ListOrdersDto): Promise<Page<Order>> {
    return this.orders.list(dto);
  }

  @MessagePattern(ORDERS_COMMANDS.updateItems)
  updateItems(@Payload() dto: UpdateOrderItemsDto): Promise<Order> {
    return this.orders.updateItems(dto);
  }

  @MessagePattern(ORDERS_COMMANDS.changeStatus)
  changeStatus(@Payload() dto: ChangeOrderStatusDto): Promise<Order> {
    return this.status.changeStatus(dto.caller, dto.id, dto.status, dto.expectedVersion);
  }

  @MessagePattern(ORDERS_COMMANDS.setTracking)
  setTracking(@Payload() dto: SetTrackingNoteDto): Promise<Order> {
    return this.status.setTracking(dto.caller, dto.id, dto.note);
  }

  @MessagePattern(ORDERS_COMMANDS.cancel)
  cancel(@Payload() dto: CancelOrderDto): Promise<Order> {
    return this.status.cancel(dto.caller, dto.id, dto.expectedVersion);
  }

  @MessagePattern(ORDERS_COMMANDS.delete)
  delete(@Payload() dto: DeleteOrderDto): Promise<OrderDeleted> {
    return this.orders.delete(dto.caller, dto.id);
  }
}
