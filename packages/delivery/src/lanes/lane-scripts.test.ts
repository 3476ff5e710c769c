import { openTestRedis } from '@crm-push/testing';
import { createRedis, type RedisConnection } from '@crm-push/queue';
import { laneKeys } from './lane-keys';
import { laneCalls, type LaneCalls, type LeaseRequest } from './lane-scripts';

describe('lane round trips shared by concurrent calls', () => {
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  let connection: RedisConnection;
  let calls: LaneCalls;
  let sent: number;

  beforeAll(async () => {
    redis = await openTestRedis();
    connection = createRedis(redis.url, 'worker');
  });
  beforeEach(() => {
    calls = laneCalls(connection, 60_000);
    sent = 0;
    // Counts the scripts sent, whatever they carry.
    type Send = (command: { name: string }) => unknown;
    const send = connection.sendCommand.bind(connection) as Send;
    const counting: Send = (command) => {
      if (command.name === 'evalsha' || command.name === 'eval') sent += 1;
      return send(command);
    };
    connection.sendCommand = counting as typeof connection.sendCommand;
  });
  afterEach(async () => {
    delete (connection as { sendCommand?: unknown }).sendCommand;
    await redis.flush();
  });
  afterAll(async () => {
    connection.disconnect();
    await redis.close();
  });

  const lease = (token: string, opts: Partial<LeaseRequest> = {}): LeaseRequest => ({ token, max: 3, rowPaused: false, credentialsVersion: 1, ...opts });

  it('ten concurrent admissions of a lane limited to 3 take exactly 3 leases, in few round trips', async () => {
    const keys = laneKeys('d1');
    const states = await Promise.all(Array.from({ length: 10 }, (_, i) => calls.leaseIfOpen(keys, lease(`t${i}`))));
    expect(states.filter((s) => s.lease === 'taken')).toHaveLength(3);
    expect(states.filter((s) => s.lease === 'full')).toHaveLength(7);
    expect(await connection.zcard(keys.leases)).toBe(3);
    expect(sent).toBeLessThanOrEqual(2);
  });

  it('each call is judged by its own loaded row: a call loaded as paused is closed, the rest of its batch is not', async () => {
    const keys = laneKeys('d2');
    const [paused, open] = await Promise.all([calls.leaseIfOpen(keys, lease('a', { rowPaused: true })), calls.leaseIfOpen(keys, lease('b'))]);
    expect(paused.lease).toBe('closed');
    expect(open.lease).toBe('taken');
    expect(await connection.zrange(keys.leases, 0, -1)).toEqual(['b']);
  });

  it('a mirrored pause closes the calls loaded under its credentials, not those loaded under newer ones', async () => {
    const keys = laneKeys('d3');
    await connection.hset(keys.paused, { reason: 'CREDENTIALS_REJECTED', resumeAt: String(Date.now() + 60_000), credentialsVersion: '2' });
    const [old, current, newer] = await Promise.all([
      calls.leaseIfOpen(keys, lease('v1', { credentialsVersion: 1 })),
      calls.leaseIfOpen(keys, lease('v2', { credentialsVersion: 2 })),
      calls.leaseIfOpen(keys, lease('v3', { credentialsVersion: 3 })),
    ]);
    expect([old.lease, current.lease, newer.lease]).toEqual(['closed', 'closed', 'taken']);
    expect(old.paused).toMatchObject({ reason: 'CREDENTIALS_REJECTED', credentialsVersion: '2' });
  });

  it('a vendor hold closes every call of the lane; calls of other lanes in the same batch are not held', async () => {
    const held = laneKeys('d4');
    const other = laneKeys('d5');
    await connection.hset(held.hold, { until: String(Date.now() + 60_000), reason: 'RATE_LIMITED', probe: '0' });
    const [a, b, c] = await Promise.all([calls.leaseIfOpen(held, lease('a')), calls.leaseIfOpen(held, lease('b')), calls.leaseIfOpen(other, lease('c'))]);
    expect([a.lease, b.lease, c.lease]).toEqual(['closed', 'closed', 'taken']);
    expect(await connection.zcard(held.leases)).toBe(0);
  });

  it("ending calls together frees their leases and waiters, re-scores their window members, frees the probe and ends the failures' run", async () => {
    const keys = laneKeys('d6');
    await Promise.all(['t1', 't2', 't3'].map((t) => calls.leaseIfOpen(keys, lease(t))));
    await connection.zadd(keys.waiting, 1, 'del-1', 2, 'del-2', 3, 'del-3');
    await connection.zadd(keys.calls, 9e15, 'm1', 9e15, 'm2');
    await connection.set(keys.probe, '1');
    await connection.set(keys.failures, '4');
    const before = Date.now();
    const waiting = await Promise.all([
      calls.endCall(keys, { token: 't1', deliveryId: 'del-1', windowMember: 'm1', probing: true, succeeded: false }),
      calls.endCall(keys, { token: 't2', deliveryId: 'del-2', probing: false, succeeded: true }),
    ]);
    expect(waiting).toEqual([1, 1]);
    expect(await connection.zrange(keys.leases, 0, -1)).toEqual(['t3']);
    expect(await connection.zrange(keys.waiting, 0, -1)).toEqual(['del-3']);
    const m1 = Number(await connection.zscore(keys.calls, 'm1'));
    expect(m1).toBeGreaterThanOrEqual(before);
    expect(m1).toBeLessThanOrEqual(Date.now());
    expect(Number(await connection.zscore(keys.calls, 'm2'))).toBe(9e15);
    expect(await connection.exists(keys.probe, keys.failures)).toBe(0);
  });

  it('a failed call alone keeps the run of failures and the probe', async () => {
    const keys = laneKeys('d7');
    await calls.leaseIfOpen(keys, lease('t1'));
    await connection.set(keys.probe, '1');
    await connection.set(keys.failures, '4');
    expect(await calls.endCall(keys, { token: 't1', deliveryId: 'del-1', probing: false, succeeded: false })).toBe(0);
    expect(await connection.get(keys.failures)).toBe('4');
    expect(await connection.get(keys.probe)).toBe('1');
    expect(await connection.zcard(keys.leases)).toBe(0);
  });
});
