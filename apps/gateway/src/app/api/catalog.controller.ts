import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CacheResponse, type CacheResponseOptions } from '@shop/cache';
import { ResponseCacheInterceptor } from '../http/response-cache.interceptor';
import { ORDERS_COMMANDS, SKU_PATTERN, type Page, type Product } from '@shop/contracts';
import { Public, RequireRole } from '../auth/auth.decorators';
import { callerOf, CurrentUser } from '../auth/current-user.decorator';
import type { GatewayRequest, SessionUser } from '../auth/session-user';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { CreateProductBody, ProductView, SkuParam, UpdateProductBody } from './dto/catalog.dto';
import { PageQuery } from './dto/page.dto';
import { listView, type ListView } from './list-view';
import { ANONYMOUS, OrdersApi } from './orders-api';
import { ResponseInvalidation } from './response-invalidation';
import { productTags, RESPONSE_TAGS } from './response-tags';

const view = ({ sku, name, price, active, updatedAt }: Product): ProductView => ({
  sku,
  name,
  price,
  active,
  updatedAt,
});

/**
 * Shared entries: browsers revalidate every time (ETag -> 304) while the gateway serves from its cache.
 * The handlers read nothing of the caller but the role (admins also see inactive products), hence one
 * entry per role group, logged-in customers sharing the anonymous one. `grace`: served STALE while the
 * orders service cannot answer (data Redis down). `fastPath`: a bare repeat (no cookie, no credential
 * header) is answered before routing from L1, anonymous requests all being the `public` variant.
 */
const SHARED: CacheResponseOptions = {
  ttl: '30s',
  fastPath: true,
  grace: '10m',
  cacheControl: 'no-cache',
  variant: (req: Request) => ((req as GatewayRequest).user?.role === 'admin' ? 'admin' : 'public'),
};
/** List pages: any product change may alter one. */
const PAGE_TAGS = [RESPONSE_TAGS.catalog, RESPONSE_TAGS.catalogPages];
/**
 * One product: its own tag, so a change of another product leaves it cached. The interceptor runs before
 * validation; a sku that is not one gets no entry (400), so its tags only need to be valid tags.
 */
const productEntryTags = (req: Request) => {
  const sku = req.params['sku'];
  return typeof sku === 'string' && SKU_PATTERN.test(sku)
    ? [RESPONSE_TAGS.catalog, RESPONSE_TAGS.product(sku)]
    : [RESPONSE_TAGS.catalog];
};

@ApiTags('catalog')
@Controller('api/products')
@UseInterceptors(ResponseCacheInterceptor)
export class CatalogController {
  constructor(
    private readonly orders: OrdersApi,
    private readonly invalidation: ResponseInvalidation,
  ) {}

  @Get()
  @Public()
  @CacheResponse({ ...SHARED, tags: PAGE_TAGS, query: ['cursor', 'limit'] })
  @ApiOperation({ summary: 'Active products by sku (admins: all), cursor-paged' })
  @ApiErrors(400, 429, 503, 504)
  async list(@Query() query: PageQuery, @CurrentUser() user?: SessionUser): Promise<ListView<ProductView>> {
    const page = await this.orders.send<Page<Product>>(
      ORDERS_COMMANDS.listProducts,
      user ? callerOf(user) : ANONYMOUS,
      query,
    );
    return listView(page, view);
  }

  @Get(':sku')
  @Public()
  @CacheResponse({ ...SHARED, tags: productEntryTags })
  @ApiOperation({ summary: 'One product' })
  @ApiErrors(400, 404, 429, 503, 504)
  async get(@Param() { sku }: SkuParam, @CurrentUser() user?: SessionUser): Promise<ProductView> {
    return view(
      await this.orders.send<Product>(ORDERS_COMMANDS.getProduct, user ? callerOf(user) : ANONYMOUS, { sku }),
    );
  }

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create a product (admin)' })
  @ApiErrors(400, 401, 403, 409, 415, 429, 503, 504)
  async create(@Body() body: CreateProductBody, @CurrentUser() user: SessionUser): Promise<ProductView> {
    return this.changed(await this.orders.send<Product>(ORDERS_COMMANDS.createProduct, callerOf(user), body));
  }

  @Put(':sku')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Change a product’s name and/or price (admin)' })
  @ApiErrors(400, 401, 403, 404, 409, 415, 429, 503, 504)
  async update(
    @Param() { sku }: SkuParam,
    @Body() body: UpdateProductBody,
    @CurrentUser() user: SessionUser,
  ): Promise<ProductView> {
    return this.changed(
      await this.orders.send<Product>(ORDERS_COMMANDS.updateProduct, callerOf(user), { ...body, sku }),
    );
  }

  @Delete(':sku')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Deactivate a product (admin): no longer listed or orderable' })
  @ApiErrors(400, 401, 403, 404, 429, 503, 504)
  async deactivate(@Param() { sku }: SkuParam, @CurrentUser() user: SessionUser): Promise<ProductView> {
    return this.changed(
      await this.orders.send<Product>(ORDERS_COMMANDS.deactivateProduct, callerOf(user), { sku }),
    );
  }

  /** Read-your-writes on every instance now; the product.changed event repeats it for writes made elsewhere. */
  private async changed(product: Product): Promise<ProductView> {
    await this.invalidation.invalidate(productTags(product.sku));
    return view(product);
  }
}
