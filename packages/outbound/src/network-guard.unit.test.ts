import { DeliveryError } from './delivery-error';
import { fakeLookup } from './__tests__/fake-lookup';
import { assertUrlAllowed, blockedAddressReason, urlShapeProblem } from './network-guard';

const denied = { allowPrivateNetworks: false };
const allowed = { allowPrivateNetworks: true };

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected a rejection');
}

describe('assertUrlAllowed', () => {
  it.each([
    'https://8.8.8.8/leads',
    'http://1.1.1.1:8080/x',
    'https://93.184.216.34/',
    'https://[2606:4700:4700::1111]/',
    'https://[2001:4860:4860::8888]:443/hook',
    'https://[::ffff:8.8.8.8]/',
    'https://[64:ff9b::808:808]/',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
    'http://192.169.0.1/',
  ])('accepts the public address %s', async (url) => {
    await expect(assertUrlAllowed(url, denied)).resolves.toBeUndefined();
  });

  it.each([
    ['http://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['http://127.8.9.10:3000/', '127.8.9.10', 'loopback'],
    ['http://[::1]/', '[::1]', 'loopback'],
    ['http://2130706433/', '127.0.0.1', 'loopback'],
    ['http://0x7f.1/', '127.0.0.1', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]', 'loopback'],
    ['http://0.0.0.0/', '0.0.0.0', 'unspecified'],
    ['http://[::]/', '[::]', 'unspecified'],
    ['http://10.0.0.1/', '10.0.0.1', 'private network'],
    ['http://10.255.255.255/', '10.255.255.255', 'private network'],
    ['http://172.16.0.1/', '172.16.0.1', 'private network'],
    ['http://172.31.255.254/', '172.31.255.254', 'private network'],
    ['http://192.168.1.20/', '192.168.1.20', 'private network'],
    ['http://[fc00::1]/', '[fc00::1]', 'private network'],
    ['http://[fd12:3456::1]/', '[fd12:3456::1]', 'private network'],
    ['http://[::ffff:10.1.2.3]/', '[::ffff:a01:203]', 'private network'],
    ['http://[64:ff9b::a00:1]/', '[64:ff9b::a00:1]', 'private network'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'link-local'],
    ['http://169.254.0.1/', '169.254.0.1', 'link-local'],
    ['http://[fe80::1]/', '[fe80::1]', 'link-local'],
    ['http://100.64.0.1/', '100.64.0.1', 'carrier-grade NAT'],
    ['http://100.127.255.255/', '100.127.255.255', 'carrier-grade NAT'],
    ['http://224.0.0.1/', '224.0.0.1', 'multicast'],
    ['http://255.255.255.255/', '255.255.255.255', 'broadcast'],
    ['http://[ff02::1]/', '[ff02::1]', 'multicast'],
    ['http://240.0.0.1/', '240.0.0.1', 'reserved'],
    ['http://192.0.2.10/', '192.0.2.10', 'reserved'],
    ['http://[2001:db8::1]/', '[2001:db8::1]', 'reserved'],
    // IPv6 ranges that reach an IPv4 address, or a tunnel, of someone else's choosing.
    ['http://[::127.0.0.1]/', '[::7f00:1]', 'IPv4-compatible'],
    ['http://[::8.8.8.8]/', '[::808:808]', 'IPv4-compatible'],
    ['http://[::ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]', 'link-local'],
    ['http://[2002:7f00:1::1]/', '[2002:7f00:1::1]', '6to4'],
    ['http://[2002:808:808::1]/', '[2002:808:808::1]', '6to4'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', 'Teredo'],
    ['http://[64:ff9b:1::a00:1]/', '[64:ff9b:1::a00:1]', 'reserved'],
    ['http://[fec0::1]/', '[fec0::1]', 'private network'],
    ['http://[100::1]/', '[100::1]', 'reserved'],
  ])('rejects %s, naming the host %s and why (%s)', async (url, host, why) => {
    const err = await rejection(assertUrlAllowed(url, denied));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err.message).toContain(`"${host}"`);
    expect(err.message).toContain(why);
  });

  it.each(['http://localhost:3000/', 'http://LOCALHOST./'])('rejects %s, which the system resolver maps to loopback', async (url) => {
    // No lookup given: the real dns.lookup answers "localhost" from the hosts file, without any network.
    const err = await rejection(assertUrlAllowed(url, denied));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err.message).toMatch(/"localhost\.?" is not allowed: it resolves to (127\.0\.0\.1|::1), a loopback address/);
  });

  it.each(['http://api.localhost/', 'http://a.b.localhost./'])('rejects the loopback name %s without asking a resolver', async (url) => {
    const err = await rejection(assertUrlAllowed(url, { ...denied, lookup: fakeLookup({}) }));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err.message).toMatch(/localhost.*loopback/);
  });

  it('rejects a name that resolves to a private address, naming host and address', async () => {
    const lookup = fakeLookup({ 'crm.internal.example': ['10.1.2.3'] });
    const err = await rejection(assertUrlAllowed('https://crm.internal.example/api', { ...denied, lookup }));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(err.message).toBe('destination host "crm.internal.example" is not allowed: it resolves to 10.1.2.3, a private network address');
  });

  it('rejects a name when any one of its addresses is private', async () => {
    const lookup = fakeLookup({ 'mixed.example': ['93.184.216.34', '2606:4700::1', '169.254.169.254'] });
    const err = await rejection(assertUrlAllowed('https://mixed.example/', { ...denied, lookup }));
    expect(err.message).toMatch(/"mixed.example".*169\.254\.169\.254, a link-local address/);
  });

  it('accepts a name whose addresses are all public', async () => {
    const lookup = fakeLookup({ 'crm.example': ['93.184.216.34', '2606:2800:220:1::1'] });
    await expect(assertUrlAllowed('https://crm.example/leads', { ...denied, lookup })).resolves.toBeUndefined();
  });

  it('rejects a name that resolves to no address at all', async () => {
    const lookup = fakeLookup({ 'empty.example': [] });
    const err = await rejection(assertUrlAllowed('https://empty.example/', { ...denied, lookup }));
    expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
  });

  it('turns a failed lookup into the retryable network error the request would have met', async () => {
    const err = await rejection(assertUrlAllowed('https://gone.example/', { ...denied, lookup: fakeLookup({}) }));
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(err.message).toContain('ENOTFOUND');
  });

  it.each([
    'http://127.0.0.1:3000/',
    'http://[::1]/',
    'http://10.0.0.1/',
    'http://169.254.169.254/',
    'http://localhost:4000/hook',
    'http://anything.internal/',
  ])('accepts %s when private networks are allowed, without resolving it', async (url) => {
    await expect(assertUrlAllowed(url, { ...allowed, lookup: fakeLookup({}) })).resolves.toBeUndefined();
  });

  it.each([
    ['ftp://8.8.8.8/file', '"8.8.8.8"', /http or https/],
    ['file:///etc/passwd', '"unknown"', /http or https/],
    ['gopher://10.0.0.1/', '"10.0.0.1"', /http or https/],
    ['https://user:secret@8.8.8.8/', '"8.8.8.8"', /user name or password/],
    ['not a url', '"unknown"', /absolute URL/],
  ])('rejects %s whatever the network setting', async (url, host, why) => {
    for (const opts of [denied, allowed]) {
      const err = await rejection(assertUrlAllowed(url, opts));
      expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
      expect(err.message).toContain(host);
      expect(err.message).toMatch(why);
      expect(err.message).not.toContain('secret');
    }
  });
});

describe('urlShapeProblem', () => {
  it.each(['https://crm.example/api', 'http://127.0.0.1:3000/hook?x=1', 'https://[::1]/', 'HTTPS://Crm.Example'])('accepts %s', (url) => {
    expect(urlShapeProblem(url)).toBeNull();
  });

  it.each([
    ['', /absolute URL/],
    ['crm.example/api', /absolute URL/],
    ['/relative/path', /absolute URL/],
    ['ftp://crm.example/', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['ws://crm.example/', /http or https/],
    ['https://user@crm.example/', /user name or password/],
    ['https://user:s3cr3t@crm.example/', /user name or password/],
    ['https://crm.example/' + 'a'.repeat(2048), /at most 2048/],
  ])('explains what is wrong with %s', (url, why) => {
    const problem = urlShapeProblem(url);
    expect(problem).toMatch(why);
    expect(problem).not.toContain('s3cr3t');
  });
});

describe('blockedAddressReason', () => {
  it.each([
    ['8.8.8.8', null],
    ['2606:4700:4700::1111', null],
    ['127.0.0.1', 'a loopback address'],
    ['::ffff:192.168.0.1', 'a private network address'],
    ['64:ff9b::7f00:1', 'a loopback address'],
    ['64:ff9b::', 'an unspecified address'],
    ['not-an-ip', 'not an IP address'],
  ])('%s → %s', (address, reason) => {
    expect(blockedAddressReason(address)).toBe(reason);
  });
});
