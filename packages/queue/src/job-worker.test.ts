import { openTestRedis, waitFor } from '@crm-push/testing';
import { createRedis, type RedisConnection } from './connection';
import { createJobWorker, deferJob, type JobWorker, type QueueJob } from './job-worker';
import { Queues } from './queues';

describe('a job worker bound to the catalog', () => {
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  let connection: RedisConnection;
  let producer: RedisConnection;
  let queues: Queues;
  let worker: JobWorker | undefined;

  beforeAll(async () => {
    redis = await openTestRedis();
    connection = createRedis(redis.url, 'worker');
    producer = createRedis(redis.url, 'producer');
    queues = new Queues(producer, { retries: 2 });
  });
  afterEach(async () => {
    await worker?.close();
    await redis.flush();
  });
  afterAll(async () => {
    await queues.close();
    producer.disconnect();
    connection.disconnect();
    await redis.close();
  });

  const sources = () => queues.layout.single('sources');

  it('hands each handler the parsed payload of its own job name', async () => {
    const seen: QueueJob<'fetch-lead'>['data'][] = [];
    worker = createJobWorker(sources(), connection, { 'fetch-lead': async (job) => void seen.push(job.data) }, { concurrency: 1 });
    const payload = { sourceId: 's1', ref: 'lead-1', eventId: 'e1', receivedAt: new Date().toISOString() };
    await queues.add('fetch-lead', payload, { jobId: 'ok' });
    await waitFor('the job to complete', async () => (await queues.byKey.sources.getJobState('ok')) === 'completed');
    expect(seen).toEqual([payload]);
  });

  it('fails a job whose payload does not parse at once, naming the field, without spending its retries', async () => {
    let ran = 0;
    worker = createJobWorker(sources(), connection, { 'fetch-lead': async () => void ran++ }, { concurrency: 1 });
    // Written past the catalog, as an older release or a hand-made job could have.
    await queues.byKey.sources.add('fetch-lead', { sourceId: 's1', ref: '' }, { jobId: 'bad', attempts: 3 });
    await waitFor('the job to fail', async () => (await queues.byKey.sources.getJobState('bad')) === 'failed');
    const job = (await queues.byKey.sources.getJob('bad'))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/payload ref .*; eventId .*; receivedAt/);
    expect(ran).toBe(0);
  });

  it('fails a job of a name the queue has no handler for', async () => {
    worker = createJobWorker(sources(), connection, { 'fetch-lead': async () => undefined }, { concurrency: 1 });
    await queues.byKey.sources.add('unheard-of', {}, { jobId: 'stray', attempts: 3 });
    await waitFor('the job to fail', async () => (await queues.byKey.sources.getJobState('stray')) === 'failed');
    expect((await queues.byKey.sources.getJob('stray'))!.failedReason).toBe('no handler for job "unheard-of" in queue source-fetches');
  });

  it('defers a job without spending an attempt', async () => {
    let runs = 0;
    worker = createJobWorker(
      sources(),
      connection,
      { 'fetch-lead': async (job, token) => (++runs === 1 ? deferJob(job, token, 200) : 'done') },
      { concurrency: 1 },
    );
    await queues.add('fetch-lead', { sourceId: 's', ref: 'r', eventId: 'e', receivedAt: new Date().toISOString() }, { jobId: 'later', attempts: 1 });
    await waitFor('the job to complete', async () => (await queues.byKey.sources.getJobState('later')) === 'completed');
    expect(runs).toBe(2);
    expect((await queues.byKey.sources.getJob('later'))!.returnvalue).toBe('done');
  });
});
