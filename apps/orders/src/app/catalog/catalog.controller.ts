import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateProductDto,
  DeactivateProductDto,
  GetProductDto,
  ListProductsDto,
  ORDERS_COMMANDS,
  ReindexCatalogDto,
  UpdateProductDto,
  type Page,
  type Product,
} from '@shop/contracts';
import { CatalogService } from './catalog.service';

/** Catalog commands over the Streams transport (payloads validated by the global pipe). */
@Controller()
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @MessagePattern(ORDERS_COMMANDS.listProducts)
  list(@Payload() dto: ListProductsDto): Promise<Page<Product>> {
    return this.catalog.list(dto.caller, dto.cursor, dto.limit);
  }

  @MessagePattern(ORDERS_COMMANDS.getProduct)
  get(@Payload() dto: GetProductDto): Promise<Product> {
    return this.catalog.get(dto.caller, dto.sku);
  }

  @MessagePattern(ORDERS_COMMANDS.createProduct)
  create(@Payload() dto: CreateProductDto): Promise<Product> {
    return this.catalog.create(dto.caller, dto);
  }

  @MessagePattern(ORDERS_COMMANDS.updateProduct)
  update(@Payload() dto: UpdateProductDto): Promise<Product> {
    return this.catalog.update(dto.caller, dto);
  }

  @MessagePattern(ORDERS_COMMANDS.deactivateProduct)
  deactivate(@Payload() dto: DeactivateProductDto): Promise<Product> {
    return this.catalog.deactivate(dto.caller, dto.sku);
  }

  @MessagePattern(ORDERS_COMMANDS.reindexCatalog)
  reindex(@Payload() dto: ReindexCatalogDto): Promise<{ invalidated: boolean }> {
    return this.catalog.reindex(dto.caller);
  }
}
