import { fakeLookup } from './__tests__/fake-lookup';
import { DeliveryError } from './delivery-error';
import { createNetworkPolicy } from './network-policy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the network policy's call-time URL check", () => {
  it('looks a public name up once, however many deliveries check it, until the name is due again', async () => {
    const lookup = fakeLookup({ 'crm.example.com': ['93.184.216.34'], 'other.example.com': ['1.1.1.1'] });
    const policy = createNetworkPolicy({ allowPrivateNetworks: false, lookup, allowedNameTtlMs: 40 });
    for (let i = 0; i < 5; i++) await policy.assertUrlAllowed(`https://crm.example.com/leads/${i}`);
    await policy.assertUrlAllowed('https://other.example.com/');
    expect(lookup.asked).toEqual(['crm.example.com', 'other.example.com']);
    await sleep(60);
    await policy.assertUrlAllowed('https://crm.example.com/leads');
    expect(lookup.asked).toEqual(['crm.example.com', 'other.example.com', 'crm.example.com']);
  });

  it('never remembers a refusal or a failed lookup: each check asks again and fails before any call', async () => {
    const table: Record<string, string[]> = { 'rebound.example.com': ['10.0.0.7'] };
    const lookup = fakeLookup(table);
    const policy = createNetworkPolicy({ allowPrivateNetworks: false, lookup });
    for (let i = 0; i < 2; i++) {
      await expect(policy.assertUrlAllowed('https://rebound.example.com/')).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
      await expect(policy.assertUrlAllowed('https://gone.example.com/')).rejects.toBeInstanceOf(DeliveryError);
    }
    expect(lookup.asked).toEqual(['rebound.example.com', 'gone.example.com', 'rebound.example.com', 'gone.example.com']);
    // Public again: allowed, and from then on remembered.
    table['rebound.example.com'] = ['93.184.216.34'];
    await policy.assertUrlAllowed('https://rebound.example.com/');
    await policy.assertUrlAllowed('https://rebound.example.com/');
    expect(lookup.asked.filter((n) => n === 'rebound.example.com')).toHaveLength(3);
  });

  it('a name remembered as public still has its URL shape checked', async () => {
    const policy = createNetworkPolicy({ allowPrivateNetworks: false, lookup: fakeLookup({ 'crm.example.com': ['93.184.216.34'] }) });
    await policy.assertUrlAllowed('https://crm.example.com/');
    await expect(policy.assertUrlAllowed('ftp://crm.example.com/')).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    await expect(policy.assertUrlAllowed('https://user:secret@crm.example.com/')).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
  });
});
