import { CodedError, isCodedError } from '../index';

class WidgetError extends CodedError<'E_WIDGET_BROKEN' | 'E_WIDGET_MISSING'> {}

class WidgetTimeoutError extends WidgetError {
  constructor(readonly ms: number) {
    super('E_WIDGET_BROKEN', `widget did not answer in ${ms} ms`);
  }
}

describe('CodedError', () => {
  it('carries its code and message and takes its name from the subclass', () => {
    const err = new WidgetError('E_WIDGET_MISSING', 'no widget 7');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toBeInstanceOf(WidgetError);
    expect(err.code).toBe('E_WIDGET_MISSING');
    expect(err.message).toBe('no widget 7');
    expect(err.name).toBe('WidgetError');
    expect(String(err)).toBe('WidgetError: no widget 7');
    expect(err.stack).toContain('WidgetError: no widget 7');
  });

  it('names a deeper subclass after itself, and instanceof sees the whole chain', () => {
    const err = new WidgetTimeoutError(200);
    expect(err.name).toBe('WidgetTimeoutError');
    expect(err).toBeInstanceOf(WidgetError);
    expect(err.code).toBe('E_WIDGET_BROKEN');
    expect(err.ms).toBe(200);
  });

  it('keeps a cause when given one, and has no own cause otherwise', () => {
    const cause = new Error('ECONNRESET');
    expect(new WidgetError('E_WIDGET_BROKEN', 'x', { cause }).cause).toBe(cause);
    expect(Object.hasOwn(new WidgetError('E_WIDGET_BROKEN', 'x'), 'cause')).toBe(false);
  });

  it('keeps the brand out of own keys, so logs and deep equality see only code, name and message', () => {
    const err = new WidgetError('E_WIDGET_BROKEN', 'x');
    expect(Object.getOwnPropertySymbols(err)).toEqual([]);
    expect(Object.keys(err).sort()).toEqual(['code', 'name']);
  });
});

describe('isCodedError', () => {
  it('is true for coded errors and false for everything else', () => {
    expect(isCodedError(new WidgetError('E_WIDGET_BROKEN', 'x'))).toBe(true);
    expect(isCodedError(new WidgetTimeoutError(1))).toBe(true);
    // A string `code` alone proves nothing: drivers set one too (pg `23505`, `ECONNREFUSED`).
    expect(isCodedError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isCodedError({ code: 'E_WIDGET_BROKEN', message: 'x' })).toBe(false);
    for (const value of [undefined, null, 'E_X', 42]) expect(isCodedError(value)).toBe(false);
  });

  it('recognises an error built by another copy of the lib, where instanceof fails', () => {
    let other!: typeof import('./coded-error');
    jest.isolateModules(() => {
      other = jest.requireActual<typeof import('./coded-error')>('./coded-error');
    });
    expect(other.CodedError).not.toBe(CodedError);
    class ForeignError extends other.CodedError<'E_FOREIGN'> {}
    const err = new ForeignError('E_FOREIGN', 'from another bundle');
    expect(err).not.toBeInstanceOf(CodedError);
    expect(isCodedError(err)).toBe(true);
    expect(other.isCodedError(new WidgetError('E_WIDGET_BROKEN', 'x'))).toBe(true);
  });
});
