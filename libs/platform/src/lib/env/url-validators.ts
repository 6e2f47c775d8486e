import { parseDatabaseUrl } from '@shop/database';
import { parseRedisUrl, redactUrl } from '@shop/redis';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

function fromParser(name: string, parse: (value: string) => unknown) {
  return (options?: ValidationOptions): PropertyDecorator =>
    (target, propertyKey) =>
      registerDecorator({
        name,
        target: target.constructor,
        propertyName: String(propertyKey),
        options,
        validator: {
          validate(value: unknown) {
            if (typeof value !== 'string') return false;
            try {
              parse(value);
              return true;
            } catch {
              return false;
            }
          },
          defaultMessage(args: ValidationArguments) {
            try {
              parse(String(args.value));
              return `${args.property} is invalid`;
            } catch (err) {
              // The parser's message quotes the URL; whatever it redacted, never echo a password.
              const raw = String(args.value);
              return (err as Error).message.split(raw).join(redactUrl(raw));
            }
          },
        },
      });
}

/** A URL `@shop/redis` can connect to (redis://, rediss://, redis-sentinel://, redis-cluster://). */
export const IsRedisUrl = fromParser('isRedisUrl', parseRedisUrl);

/** A URL `@shop/database` can open (sqlite:<path> or postgres://). */
export const IsDatabaseUrl = fromParser('isDatabaseUrl', parseDatabaseUrl);
