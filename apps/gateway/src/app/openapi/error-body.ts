import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Every error response (documentation of the platform's `ErrorBody`). */
export class ErrorBodyDoc {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found' }) error!: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'order ord_01jd8x4q5r6s7t8v9w0x1y2z3a not found',
  })
  message!: string | string[];
  @ApiPropertyOptional({ example: 'E_NOT_FOUND', description: 'stable code to branch on' }) code?: string;
  @ApiProperty({ example: '5f0c1c1e-8a31-4cc1-9d1e-1c2b7e0f5a11' }) requestId!: string;
}
