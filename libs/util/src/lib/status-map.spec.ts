import { statusMap } from '../index';

describe('statusMap', () => {
  const statusOf = statusMap({ E_TIMEOUT: 504, E_UNAVAILABLE: 503, E_CLOSED: 503 }, 502);

  it('answers the status of a listed code', () => {
    expect(statusOf('E_TIMEOUT')).toBe(504);
    expect(statusOf('E_UNAVAILABLE')).toBe(503);
    expect(statusOf('E_CLOSED')).toBe(503);
  });

  it('answers the fallback for any other code, or none', () => {
    expect(statusOf('E_NO_HANDLER')).toBe(502);
    expect(statusOf('')).toBe(502);
    expect(statusOf(undefined)).toBe(502);
  });

  it('never answers from Object.prototype', () => {
    for (const code of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(statusOf(code)).toBe(502);
    }
  });

  it('is not changed by a later change of its table', () => {
    const table: Record<string, number> = { E_GONE: 410 };
    const gone = statusMap(table, 500);
    table['E_GONE'] = 404;
    expect(gone('E_GONE')).toBe(410);
  });

  it('takes some codes of a union, and no code outside it', () => {
    type WidgetCode = 'E_WIDGET_GONE' | 'E_WIDGET_BUSY' | 'E_WIDGET_BROKEN';
    const widgetStatus = statusMap<WidgetCode>({ E_WIDGET_GONE: 410, E_WIDGET_BUSY: 409 }, 500);
    expect(widgetStatus('E_WIDGET_BROKEN')).toBe(500);
    // @ts-expect-error a code the union does not have (typecheck fails if this compiles)
    statusMap<WidgetCode>({ E_WIDGET_GOEN: 410 }, 500);
  });

  it('refuses a status that is not an HTTP status, naming it, when built', () => {
    expect(() => statusMap({ E_X: 5030 }, 500)).toThrow(/E_X.*5030/);
    expect(() => statusMap({ E_X: 404.5 }, 500)).toThrow(RangeError);
    expect(() => statusMap({}, 99)).toThrow(/fallback/);
  });
});
