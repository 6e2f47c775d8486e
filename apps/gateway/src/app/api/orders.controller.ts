import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CacheResponse, type CacheResponseOptions } from '@shop/cache';
import { ResponseCacheInterceptor } from '../http/response-cache.interceptor';
import {
  IDEMPOTENCY_KEY_PATTERN,
  ORDER_ID_PATTERN,
  ORDERS_COMMANDS,
  type Order,
  type OrderDeleted,
  type Page,
} from '@shop/contracts';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { RequireRole } from '../auth/auth.decorators';
import { callerOf, CurrentUser } from '../auth/current-user.decorator';
import type { GatewayRequest, SessionUser } from '../auth/session-user';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { badRequest } from '../http/bad-request';
import {
  ChangeStatusBody,
  CreateOrderBody,
  ListOrdersQuery,
  OrderIdParam,
  TrackingBody,
  UpdateOrderItemsBody,
} from './dto/orders.dto';
import { listView, type ListView } from './list-view';
import { OrdersApi } from './orders-api';
import { ResponseInvalidation } from './response-invalidation';
import { orderTags, RESPONSE_TAGS } from './response-tags';

const userOf = (req: Request) => (req as GatewayRequest).user;

/**
 * The order's tag. Tags are computed before the pipes validate the path, so a malformed id (which the
 * pipe refuses with a 400 right after) must not become a tag.
 */
const orderIdTags = (req: Request): string[] => {
  const id = req.params['id'];
  return typeof id === 'string' && ORDER_ID_PATTERN.test(id) ? [RESPONSE_TAGS.order(id)] : [];
};

/**
 * Per-user entries only (`perUser`: keyed by the caller's id, `Cache-Control: private, no-cache`), so
 * no one is ever served another caller's response. Short TTL: write-behind status changes are
 * announced by events about a second after they were accepted.
 */
const PER_USER: CacheResponseOptions = { ttl: '10s', perUser: true, cacheControl: 'private, no-cache' };

@ApiTags('orders')
@Controller('api/orders')
@UseInterceptors(ResponseCacheInterceptor)
export class OrdersController {
  constructor(
    private readonly orders: OrdersApi,
    private readonly invalidation: ResponseInvalidation,
  ) {}

  @Get()
  @CacheResponse({
    ...PER_USER,
    query: ['status', 'cursor', 'limit'],
    tags: (req: Request) =>
      userOf(req)?.role === 'admin'
        ? [RESPONSE_TAGS.allOrders]
        : [RESPONSE_TAGS.ordersOf(userOf(req)?.id ?? '')],
  })
  @ApiOperation({ summary: 'My orders, newest first (admins: all orders); by status, cursor-paged' })
  @ApiErrors(400, 401, 429, 503, 504)
  async list(@Query() query: ListOrdersQuery, @CurrentUser() user: SessionUser): Promise<ListView<Order>> {
    return listView(await this.orders.send<Page<Order>>(ORDERS_COMMANDS.list, callerOf(user), query));
  }

  @Get(':id')
  @CacheResponse({ ...PER_USER, tags: orderIdTags })
  @ApiOperation({ summary: 'One order (mine; admins: any) — 404 for another customer’s order' })
  @ApiErrors(400, 401, 404, 429, 503, 504)
  get(@Param() { id }: OrderIdParam, @CurrentUser() user: SessionUser): Promise<Order> {
    return this.orders.send<Order>(ORDERS_COMMANDS.get, callerOf(user), { id });
  }

  @Post()
  @ApiOperation({
    summary:
      'Place an order; prices come from the catalog. With Idempotency-Key a retry returns the same order',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: '8-128 of [A-Za-z0-9_.:-], 24 h' })
  @ApiErrors(400, 401, 409, 415, 422, 429, 503, 504)
  async create(
    @Body() body: CreateOrderBody,
    @CurrentUser() user: SessionUser,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Order> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))
      throw badRequest('Idempotency-Key must be 8-128 of [A-Za-z0-9_.:-]');
    const order = await this.orders.send<Order & { replayed?: boolean }>(
      ORDERS_COMMANDS.create,
      callerOf(user),
      {
        items: body.items,
        idempotencyKey: idempotencyKey ?? randomUUID(),
      },
    );
    await this.invalidation.invalidate(orderTags(order.id, order.customerId));
    res.status(201);
    return order;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Replace the lines of a pending order (write-through)' })
  @ApiErrors(400, 401, 404, 409, 415, 429, 503, 504)
  async updateItems(
    @Param() { id }: OrderIdParam,
    @Body() body: UpdateOrderItemsBody,
    @CurrentUser() user: SessionUser,
  ): Promise<Order> {
    return this.changed(
      await this.orders.send<Order>(ORDERS_COMMANDS.updateItems, callerOf(user), { ...body, id }),
    );
  }

  @Patch(':id/status')
  @ApiOperation({
    summary: 'One status step: customers pay or cancel their own orders, admins do every allowed step',
  })
  @ApiErrors(400, 401, 404, 409, 415, 429, 503, 504)
  async changeStatus(
    @Param() { id }: OrderIdParam,
    @Body() body: ChangeStatusBody,
    @CurrentUser() user: SessionUser,
  ): Promise<Order> {
    return this.changed(
      await this.orders.send<Order>(ORDERS_COMMANDS.changeStatus, callerOf(user), { ...body, id }),
    );
  }

  @Put(':id/tracking')
  @RequireRole('admin')
  @ApiOperation({ summary: 'The courier’s note on a paid or shipped order (admin; write-behind)' })
  @ApiErrors(400, 401, 403, 404, 409, 415, 429, 503, 504)
  async setTracking(
    @Param() { id }: OrderIdParam,
    @Body() body: TrackingBody,
    @CurrentUser() user: SessionUser,
  ): Promise<Order> {
    return this.changed(
      await this.orders.send<Order>(ORDERS_COMMANDS.setTracking, callerOf(user), { ...body, id }),
    );
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a pending or paid order (mine; admins: any)' })
  @ApiErrors(400, 401, 404, 409, 429, 503, 504)
  async cancel(@Param() { id }: OrderIdParam, @CurrentUser() user: SessionUser): Promise<Order> {
    return this.changed(await this.orders.send<Order>(ORDERS_COMMANDS.cancel, callerOf(user), { id }));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Delete an order and its lines (admin)' })
  @ApiErrors(400, 401, 403, 404, 429, 503, 504)
  async delete(@Param() { id }: OrderIdParam, @CurrentUser() user: SessionUser): Promise<void> {
    const { customerId } = await this.orders.send<OrderDeleted>(ORDERS_COMMANDS.delete, callerOf(user), {
      id,
    });
    await this.invalidation.invalidate(orderTags(id, customerId));
  }

  /** Read-your-writes on every gateway instance now; the order's event repeats it later. */
  private async changed(order: Order): Promise<Order> {
    await this.invalidation.invalidate(orderTags(order.id, order.customerId));
    return order;
  }
}
