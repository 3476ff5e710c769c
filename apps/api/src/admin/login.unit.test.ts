import { safeNext } from './login';

describe('safeNext', () => {
  it('keeps a path inside /admin', () => {
    expect(safeNext('/admin/failed?errorCode=HTTP_500')).toBe('/admin/failed?errorCode=HTTP_500');
    expect(safeNext('/admin')).toBe('/admin');
    expect(safeNext('/admin/queues/queue/crm-deliveries')).toBe('/admin/queues/queue/crm-deliveries');
  });

  it('refuses anything that could leave the admin area', () => {
    for (const next of [
      '//evil.example/admin',
      'https://evil.example/admin',
      '/administrator',
      '/admin\\..\\x',
      '/v1/leads',
      '/admin/login',
      undefined,
      ['/admin'],
    ]) {
      expect(safeNext(next)).toBe('/admin');
    }
  });
});
