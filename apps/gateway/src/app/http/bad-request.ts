import { BadRequestException } from '@nestjs/common';

/** A 400 in the shape the ValidationPipe answers (`E_VALIDATION`), for checks outside DTOs (headers). */
export function badRequest(message: string): BadRequestException {
  return new BadRequestException({ message: [message], code: 'E_VALIDATION' });
}
