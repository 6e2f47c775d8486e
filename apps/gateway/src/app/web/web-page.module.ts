import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { WebPageMiddleware } from './web-page.middleware';

/**
 * The web page at `/`: static files beside the bundle, nothing but the public JSON API behind them.
 * A middleware rather than a controller, so the API's guards, interceptors and response cache never
 * see these requests.
 */
@Module({ providers: [WebPageMiddleware] })
export class WebPageModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebPageMiddleware).forRoutes('{*path}');
  }
}
