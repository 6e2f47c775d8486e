import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsPriceCents, IsSku, MAX_PRODUCT_NAME } from '@shop/contracts';
import { IsOptional, IsString, Length } from 'class-validator';
import { IsExpectedVersion } from '@shop/contracts';

export class SkuParam {
  @ApiProperty({ example: 'TEA-GREEN-100', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' })
  @IsSku()
  sku!: string;
}

export class CreateProductBody {
  @ApiProperty({ example: 'TEA-GREEN-100', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' })
  @IsSku()
  sku!: string;

  @ApiProperty({ example: 'Green tea, 100 g', maxLength: MAX_PRODUCT_NAME })
  @IsString()
  @Length(1, MAX_PRODUCT_NAME)
  name!: string;

  @ApiProperty({ example: 1250, description: 'integer cents' })
  @IsPriceCents()
  price!: number;
}

export class UpdateProductBody {
  @ApiPropertyOptional({ maxLength: MAX_PRODUCT_NAME })
  @IsOptional()
  @IsString()
  @Length(1, MAX_PRODUCT_NAME)
  name?: string;

  @ApiPropertyOptional({ description: 'integer cents' })
  @IsOptional()
  @IsPriceCents()
  price?: number;

  @ApiPropertyOptional({ description: 'refused with 409 unless the product is at this version' })
  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;
}

export class ProductView {
  @ApiProperty() sku!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'integer cents' }) price!: number;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
