import { IsInt, Min } from 'class-validator';

/** The version the caller last read; a write against another one is `E_VERSION_CONFLICT`. */
export const IsExpectedVersion =
  (): PropertyDecorator =>
  (target, property): void => {
    IsInt()(target, property);
    Min(1)(target, property);
  };
