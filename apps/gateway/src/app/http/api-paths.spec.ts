import type { Request } from 'express';
import { isApiRequest } from './api-paths';

const at = (path: string) => ({ path }) as Request;

describe('isApiRequest', () => {
  it('takes every spelling Express routes to an /api handler (it matches case-insensitively)', () => {
    for (const path of ['/api', '/api/products/X', '/API/admin/instances', '/Api/products', '/aPI'])
      expect([path, isApiRequest(at(path))]).toEqual([path, true]);
  });

  it('leaves health, metrics, docs and look-alikes outside', () => {
    for (const path of ['/health/ready', '/metrics', '/api/docs', '/API/DOCS/x', '/apix', '/'])
      expect([path, isApiRequest(at(path))]).toEqual([path, false]);
  });
});
