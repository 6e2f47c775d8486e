import { HttpException, Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { PLATFORM_OPTIONS, type PlatformOptions } from '../platform-options';

/** body-parser marks its errors with an HTTP status and a `type`. */
interface BodyParserError {
  status?: number;
  type?: string;
  message: string;
}

const MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'malformed JSON body',
  'entity.too.large': 'request body too large',
  'entity.verify.failed': 'request body rejected',
  'encoding.unsupported': 'unsupported content encoding',
  'charset.unsupported': 'unsupported charset',
  'request.aborted': 'request aborted',
  'request.size.invalid': 'request size did not match content-length',
};

/**
 * JSON body parsing as Nest middleware (the app is created with `bodyParser: false`), so a malformed or
 * oversized body goes through the exception filter and gets a JSON 400/413 saying what was wrong.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;
  private readonly limit: string;

  constructor(@Inject(PLATFORM_OPTIONS) options: PlatformOptions) {
    this.limit = String(options.bodyLimit ?? '100kb');
    this.parse = json({ limit: options.bodyLimit ?? '100kb', strict: true });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    this.parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const parserError = err as BodyParserError;
      const status =
        typeof parserError.status === 'number' && parserError.status < 500 ? parserError.status : 400;
      const summary = (parserError.type && MESSAGES[parserError.type]) ?? 'unreadable request body';
      const detail = parserError.type === 'entity.too.large' ? `limit is ${this.limit}` : parserError.message;
      next(
        new HttpException(
          { statusCode: status, message: `${summary}: ${detail}`, code: 'E_BAD_BODY' },
          status,
        ),
      );
    });
  }
}
