import { createRedis } from '@crm-push/queue';
import { useTestDomain } from '@crm-push/testing';
import type { LoadedDelivery } from '../load-delivery';
import { Lanes } from './lanes';

describe("the end of a call in its lane, when Redis can't be reached", () => {
  const domain = useTestDomain();

  it('never throws: the delivery keeps the outcome of its call, and the lease is left to expire', async () => {
    const { deps } = domain;
    const account = await deps.db.account.create({ data: { name: 'Lanes' } });
    const destination = await deps.db.destination.create({
      data: { accountId: account.id, name: 'sink', type: 'custom', config: { url: 'http://127.0.0.1:9/leads' } },
    });
    const delivery = { id: 'delivery-1', kind: 'crm', destination } as unknown as LoadedDelivery & { destination: typeof destination };
    const connection = createRedis(deps.config.REDIS_URL, 'worker');
    const lanes = new Lanes(connection);
    const pass = await lanes.admit(deps, delivery);
    if (!('release' in pass)) throw new Error(`the open lane refused the call: ${JSON.stringify(pass)}`);

    const warn = jest.spyOn(deps.logger, 'warn');
    connection.disconnect();
    await expect(pass.release()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ destinationId: destination.id }), 'lane could not end a call');
    // Once: a second release (the processor's finally) does nothing.
    await expect(pass.release()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
