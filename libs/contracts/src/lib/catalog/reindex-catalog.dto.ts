import { WithCallerDto } from '../common/with-caller.dto';

/** `orders.catalog.reindex` (admin): one namespace bump invalidates every cached catalog entry. Reply: `{ version }`. */
export class ReindexCatalogDto extends WithCallerDto {}
