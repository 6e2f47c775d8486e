import { PageQueryDto } from '../common/page-query.dto';

/** `orders.products.list`: active products for customers, all for admins; by sku. Reply: `Page<Product>`. */
export class ListProductsDto extends PageQueryDto {}
