import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI 3 document, generated from the controllers and their DTOs. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Shop gateway API')
    .setDescription(
      'Accounts and sessions, catalog, orders and leaderboards. Errors are `{ statusCode, error, message, code?, requestId }`; ' +
        'lists are `{ items, nextCursor }`. Unsafe requests need `application/json` bodies and are refused cross-site.',
    )
    .setVersion('1.0')
    .addCookieAuth('sid')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** `GET /api/docs` (Swagger UI) and `GET /api/docs-json`. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}
