import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestId } from './request-id';

function call(header?: string) {
  const headers: Record<string, string> = {};
  const req = {
    headers: header === undefined ? {} : { 'x-request-id': header },
  } as unknown as IncomingMessage;
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as ServerResponse;
  return { id: requestId(req, res), headers };
}

describe('requestId', () => {
  it('keeps a sane caller id and echoes it', () => {
    expect(call('trace-123')).toEqual({ id: 'trace-123', headers: { 'X-Request-Id': 'trace-123' } });
  });

  it.each([undefined, '', 'has space', 'x'.repeat(200), '<script>'])('replaces %j with a UUID', (header) => {
    const { id, headers } = call(header);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['X-Request-Id']).toBe(id);
  });
});
