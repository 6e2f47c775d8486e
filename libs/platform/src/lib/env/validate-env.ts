import { plainToInstance } from 'class-transformer';
import { redactUrl } from '@shop/redis';
import { CodedError } from '@shop/util';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown when the environment is invalid; `problems` lists every bad or missing variable. */
export class EnvValidationError extends CodedError<'E_INVALID_ENV'> {
  constructor(readonly problems: string[]) {
    super('E_INVALID_ENV', `invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Turns `process.env` into a typed, validated instance of `envClass` (class-validator decorators,
 * defaults from property initializers). Empty strings count as unset. Every problem is collected, so one
 * start tells the operator everything that is wrong.
 */
export function validateEnv<T extends object>(
  envClass: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const instance = plainToInstance(envClass, present, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(instance, {
    whitelist: false,
    forbidUnknownValues: true,
    validationError: { target: false },
  });
  if (errors.length > 0) throw new EnvValidationError(errors.flatMap(describe));
  return instance;
}

function describe(error: ValidationError): string[] {
  const shown =
    error.value === undefined ? 'missing' : `got ${JSON.stringify(redact(error.property, error.value))}`;
  const reasons = Object.values(error.constraints ?? {});
  return reasons.length > 0
    ? [`${error.property}: ${reasons.join('; ')} (${shown})`]
    : (error.children ?? []).flatMap(describe);
}

function redact(property: string, value: unknown): unknown {
  if (/PASSWORD|SECRET|TOKEN|KEY$/i.test(property)) return '***';
  // redactUrl hides passwords holding '/' or '@' too (a naive `//user:pass@` pattern stops at a '/').
  return typeof value === 'string' ? redactUrl(value) : value;
}
