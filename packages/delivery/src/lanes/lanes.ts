import { randomUUID } from 'node:crypto';
import type { PushResult } from '@crm-push/crm';
import type { DeliveryError } from '@crm-push/outbound';
import type { RedisConnection } from '@crm-push/queue';
import type { DeliveryDeps } from '../deps';
import type { LoadedDelivery } from '../load-delivery';
import type { AttemptFacts } from '../record-outcome';
import { changeHealth, extendPause, pauseDestination, resumeDestination, type HealthReason } from './lane-health';
import { laneKeys, type LaneKeys } from './lane-keys';
import { effectiveLimits, storedLimits, type EffectiveLimits } from './lane-limits';
import { recordThrottledCall } from './record-throttled-call';
import { laneCalls, type LaneCalls, type LaneState } from './lane-scripts';
import { LocalSlots } from './local-slots';
import { acquireLease, releaseLease, renewLease, takeFromWindow } from './rolling-window';
import { classifyFailure, signalOfSuccess, type LaneHold, type LaneSignal } from './vendor-signals';

/*
 * Lanes: how deliveries are paced per destination.
 *
 * Every destination is a lane, and a lane is state in Redis, not a queue: its rolling window of
 * calls, its semaphore of running calls (leases that expire if a worker dies), a vendor-imposed
 * hold, the limit the vendor reported, and its waiters in FIFO order. The durable unit stays one
 * BullMQ job per delivery, in the shared delivery queue. When a job's lane cannot take it now, the
 * processor moves the job back to `delayed` until the lane will (BullMQ's moveToDelayed +
 * DelayedError: no attempt counted, no worker slot held, the job still live), and the delivery
 * keeps its `queued`/`retrying` status. So:
 *   - a budget is shared by every worker on every machine (it lives in Redis);
 *   - a slow, dead or throttled destination holds at most its own maxConcurrency of worker slots,
 *     and its waiting jobs sleep in `delayed` instead of blocking the queue, so no other
 *     destination (of this account or any other) waits behind it;
 *   - nothing new has to be created or cleaned up per destination.
 * Per-destination queues were the alternative: BullMQ's limiter is per queue, which fits, but a
 * worker would have to discover and subscribe to thousands of queues, and a Redis Cluster would
 * need each one's slot. Waiters wake in FIFO order, spread over the windows they will need (their
 * rank among the lane's waiters), so a backlog of N costs about 2N wake-ups, not N per window.
 * One exception to "no worker slot held": a delivery refused only because its lane is at its
 * concurrency limit, in a worker where that lane's calls are ending every few milliseconds,
 * waits there up to LOCAL_SLOT_WAIT_MS for the next one to end (./local-slots); a slow or hung
 * lane's calls do not end that often, so its deliveries still go straight back to `delayed`.
 */

/** How long a call's lease lasts unless renewed (renewed every third of it while the call runs). */
const LEASE_MS = 60_000;
/**
 * Admission counts a slightly longer window than the vendor, for what the end-of-call re-scoring
 * (rolling-window.ts) cannot see: the vendor's own clock and queueing. Costs 5 % of throughput.
 */
const windowGuardMs = (intervalMs: number) => Math.max(50, Math.ceil(intervalMs * 0.05));
/** A waiter for a free concurrency slot looks again after this (times its rank among waiters). */
const SLOT_WAIT_MS = 250;
const MAX_SLOT_WAIT_MS = 5000;
/** How long a waiter for a free slot first waits in its own process, while the lane's calls end there (see ./local-slots). */
const LOCAL_SLOT_WAIT_MS = 50;
/** A manual pause has no probe: its jobs sleep this long unless a resume wakes them first. */
const MANUAL_PAUSE_WAIT_MS = 60 * 60 * 1000;
/** While another call probes, the rest look again after this. */
const PROBE_WAIT_MS = 1000;
/** A probe's claim lasts at most this long (a worker that dies mid-probe frees it). */
const PROBE_CLAIM_MS = 60_000;
const LEARNED_TTL_MS = 24 * 60 * 60 * 1000;

export type WaitReason = 'paused' | 'held' | 'rate' | 'concurrency';

export interface LaneWait {
  waitMs: number;
  reason: WaitReason;
}

/** What a delivery that got into its lane reports back. */
export interface LanePass {
  limits: EffectiveLimits;
  succeeded(result: PushResult): Promise<void>;
  /** `defer`: the lane waits and the delivery with it, without spending a retry (the job must be delayed by `waitMs`). */
  failed(error: DeliveryError, attempt: AttemptFacts | undefined): Promise<{ defer: false } | { defer: true; waitMs: number }>;
  /** Gives the lane its slot back; once (later calls do nothing), and never throws: see LEASE_MS. */
  release(): Promise<void>;
}

type Destination = NonNullable<LoadedDelivery['destination']>;

/** The lanes of every destination, on one Redis connection; one per process. */
export class Lanes {
  private readonly calls: LaneCalls;
  private readonly local = new LocalSlots(LOCAL_SLOT_WAIT_MS);

  constructor(readonly redis: RedisConnection) {
    this.calls = laneCalls(redis, LEASE_MS);
  }

  /**
   * Lets the delivery's call through its lane, or says how long it must wait. A lane at its
   * concurrency limit is asked again when one of its calls in this process ends, until
   * `localDeadline` (see ./local-slots).
   */
  async admit(deps: DeliveryDeps, delivery: LoadedDelivery & { destination: Destination }, localDeadline?: number): Promise<LanePass | LaneWait> {
    const d = delivery.destination;
    const keys = laneKeys(d.id);
    const now = Date.now();
    const own = storedLimits(d.limits);
    const token = `${delivery.id}:${randomUUID()}`;
    // The concurrency limit is the destination's own or the default, never what the vendor reported.
    const { maxConcurrency } = effectiveLimits(d.type, own, {});
    const state = await this.calls.leaseIfOpen(keys, {
      token,
      max: maxConcurrency,
      rowPaused: d.healthState === 'paused',
      credentialsVersion: d.credentialsVersion,
    });
    const limits = effectiveLimits(d.type, own, { max: numberOr(state.learned.max), intervalMs: numberOr(state.learned.intervalMs) });
    if (state.lease === 'full') {
      const deadline = localDeadline ?? now + LOCAL_SLOT_WAIT_MS;
      if (await this.local.waitForEnd(d.id, deadline - Date.now())) return this.admit(deps, delivery, deadline);
      return this.wait(keys, delivery.id, 'concurrency', 0, maxConcurrency, SLOT_WAIT_MS, MAX_SLOT_WAIT_MS);
    }
    const probe = state.lease === 'taken' ? { probing: false, probingHold: false } : await this.enterClosed(deps, delivery, keys, state, token, limits, now);
    if ('waitMs' in probe) return probe;
    const { probing, probingHold } = probe;

    let windowMember: string | undefined;
    if (limits.requestsPerInterval !== null) {
      const admissionWindowMs = limits.intervalMs + windowGuardMs(limits.intervalMs);
      const taken = await takeFromWindow(this.redis, keys.calls, limits.requestsPerInterval, admissionWindowMs, LEASE_MS);
      if (!taken.admitted) {
        await releaseLease(this.redis, keys.leases, token);
        if (probing || probingHold) await this.redis.del(keys.probe);
        const wait = await this.wait(keys, delivery.id, 'rate', taken.opensInMs, limits.requestsPerInterval, admissionWindowMs, Infinity, {
          slotOpensAt: taken.opensAt,
        });
        if (d.healthState === 'active') {
          await changeHealth(
            deps,
            d.id,
            {
              state: 'throttled',
              reason: 'RATE_LIMITED',
              resumeAt: new Date(now + taken.opensInMs),
              message: `over its budget of ${limits.requestsPerInterval} calls per ${limits.intervalMs} ms`,
            },
            ['active'],
          );
        }
        return wait;
      }
      windowMember = taken.member;
    }
    const holding = !!state.hold.until && state.hold.probe === '1' && !probingHold;
    return this.pass(deps, delivery, keys, token, limits, own?.dailyBudget, {
      probing,
      probingHold,
      mayReactivate: d.healthState === 'throttled' && !holding,
      windowMember,
    });
  }

  /**
   * A lane that was not plainly open (leaseIfOpen): paused, held by the vendor, or loaded as
   * paused. Says how long to wait, or lets this call through as the probe (or because the pause
   * or hold is over, or PostgreSQL no longer has the pause) with a lease taken.
   */
  private async enterClosed(
    deps: DeliveryDeps,
    delivery: LoadedDelivery & { destination: Destination },
    keys: LaneKeys,
    state: LaneState,
    token: string,
    limits: EffectiveLimits,
    now: number,
  ): Promise<LaneWait | { probing: boolean; probingHold: boolean }> {
    const d = delivery.destination;
    const { hold } = state;
    // The lane's mirror of a pause is fresher than the row this job loaded (another worker may have just paused it).
    // A mirror made under older credentials than this job loaded is stale (written after an admin's update resumed it).
    const mirrored = state.paused.credentialsVersion && Number(state.paused.credentialsVersion) < d.credentialsVersion ? undefined : state.paused;
    const pause = mirrored?.reason
      ? { reason: mirrored.reason, resumeAt: Number(mirrored.resumeAt) ? new Date(Number(mirrored.resumeAt)) : null }
      : d.healthState === 'paused'
        ? await currentPause(deps, d.id)
        : undefined;
    // Waiters of a lane that reopens are spread over the windows they will need, in FIFO order.
    const perWindow = limits.requestsPerInterval ?? limits.maxConcurrency;
    const waitFor = (reason: WaitReason, ms: number) => this.wait(keys, delivery.id, reason, ms, perWindow, limits.intervalMs);

    let probing = false;
    if (pause) {
      if (pause.reason === 'MANUAL' || !pause.resumeAt) return this.wait(keys, delivery.id, 'paused', MANUAL_PAUSE_WAIT_MS, 1, 0);
      const until = pause.resumeAt.getTime();
      if (until > now) return waitFor('paused', until - now);
      if (!(await this.claimProbe(keys))) return waitFor('paused', PROBE_WAIT_MS);
      probing = true;
    }

    let probingHold = false;
    if (hold.until && !probing) {
      const until = Number(hold.until);
      if (until > now) return waitFor('held', until - now);
      if (hold.probe === '1') {
        if (!(await this.claimProbe(keys))) return waitFor('held', PROBE_WAIT_MS);
        probingHold = true;
      }
    }

    if (!(await acquireLease(this.redis, keys.leases, token, limits.maxConcurrency, LEASE_MS))) {
      if (probing || probingHold) await this.redis.del(keys.probe);
      return this.wait(keys, delivery.id, 'concurrency', 0, limits.maxConcurrency, SLOT_WAIT_MS, MAX_SLOT_WAIT_MS);
    }
    return { probing, probingHold };
  }

  /**
   * The wait of a lane that is closed now (paused, or held by the vendor), taking nothing from
   * it (no lease, no slot, no probe); undefined when it may be open, and admit decides. A batch
   * claimant asks before it claims: a closed lane's jobs would each claim, load and map a batch
   * only to put it back, and the claims in flight when the lane reopens would go as small
   * batches, cut up between them.
   */
  async closedFor(delivery: LoadedDelivery & { destination: Destination }): Promise<LaneWait | undefined> {
    const d = delivery.destination;
    const keys = laneKeys(d.id);
    const now = Date.now();
    const [holdReply, learnedReply, pausedReply] = (await this.redis.multi().hgetall(keys.hold).hgetall(keys.learned).hgetall(keys.paused).exec()) ?? [];
    const hold = holdReply?.[1] as Record<string, string> | undefined;
    const learned = learnedReply?.[1] as Record<string, string> | undefined;
    const paused = pausedReply?.[1] as Record<string, string> | undefined;
    // A mirror made under older credentials than this job loaded is stale (see admit).
    const pause = paused?.reason && !(paused.credentialsVersion && Number(paused.credentialsVersion) < d.credentialsVersion) ? paused : undefined;
    if (pause && (pause.reason === 'MANUAL' || !Number(pause.resumeAt))) return this.wait(keys, delivery.id, 'paused', MANUAL_PAUSE_WAIT_MS, 1, 0);
    const limits = effectiveLimits(d.type, storedLimits(d.limits), { max: numberOr(learned?.max), intervalMs: numberOr(learned?.intervalMs) });
    const perWindow = limits.requestsPerInterval ?? limits.maxConcurrency;
    if (pause && Number(pause.resumeAt) > now) return this.wait(keys, delivery.id, 'paused', Number(pause.resumeAt) - now, perWindow, limits.intervalMs);
    if (!pause && hold?.until && Number(hold.until) > now) return this.wait(keys, delivery.id, 'held', Number(hold.until) - now, perWindow, limits.intervalMs);
    return undefined;
  }

  private pass(
    deps: DeliveryDeps,
    delivery: LoadedDelivery & { destination: Destination },
    keys: LaneKeys,
    token: string,
    limits: EffectiveLimits,
    dailyBudget: number | undefined,
    probe: { probing: boolean; probingHold: boolean; mayReactivate: boolean; windowMember?: string },
  ): LanePass {
    const d = delivery.destination;
    const renew = setInterval(() => void renewLease(this.redis, keys.leases, token, LEASE_MS).catch(() => undefined), LEASE_MS / 3);
    renew.unref();
    this.local.entered(d.id);
    const signalOpts = { dailyBudget, dailyRecheckMs: deps.config.DAILY_LIMIT_RECHECK_MS };
    // A success ends the lane's run of consecutive failures, with the end of the call (endCall).
    let succeeded = false;
    let released = false;
    return {
      limits,
      // A lane that cannot record what the vendor said must not turn a delivered lead into a failure.
      succeeded: (result) => {
        succeeded = true;
        return this.onSuccess(deps, d, keys, result, signalOpts, probe).catch((err: Error) =>
          deps.logger.warn({ destinationId: d.id, err: err.message }, 'lane could not record a success'),
        );
      },
      failed: async (error, attempt) => {
        if (!attempt) return { defer: false }; // refused before calling: says nothing about the destination
        const failure = classifyFailure(error, { intervalMs: limits.intervalMs, dailyRecheckMs: deps.config.DAILY_LIMIT_RECHECK_MS });
        if (failure.kind === 'throttled') {
          await recordThrottledCall(deps, delivery.id, error, attempt);
          await this.hold(deps, d.id, keys, failure.hold);
          if (probe.probing || probe.probingHold) await this.redis.del(keys.probe);
          return { defer: true, waitMs: failure.hold.forMs };
        }
        if (failure.kind === 'credentials-rejected') {
          await recordThrottledCall(deps, delivery.id, error, attempt);
          const resumeAt = await this.pause(deps, d, keys, 'CREDENTIALS_REJECTED', `the vendor rejected the credentials (${error.code})`, probe.probing);
          return { defer: true, waitMs: Math.max(1, resumeAt.getTime() - Date.now()) };
        }
        if (failure.kind === 'failing') {
          const failures = await this.redis.multi().incr(keys.failures).pexpire(keys.failures, LEARNED_TTL_MS).exec();
          const count = Number(failures?.[0]?.[1] ?? 0);
          if (probe.probing || count >= deps.config.PAUSE_AFTER_FAILURES) {
            await this.pause(deps, d, keys, 'FAILING', `${count} consecutive failed calls (last: ${error.code})`, probe.probing);
          }
        }
        return { defer: false };
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        try {
          const waiting = await this.calls
            .endCall(keys, { token, deliveryId: delivery.id, windowMember: probe.windowMember, probing: probe.probing || probe.probingHold, succeeded })
            .finally(() => this.local.ended(d.id));
          // A throttled lane whose backlog is gone is active again (checked after the call, off its path).
          if (probe.mayReactivate && waiting === 0) {
            await changeHealth(deps, d.id, { state: 'active', reason: null, resumeAt: null, message: 'back within its budget' }, ['throttled']);
          }
        } catch (err) {
          // The delivery's outcome is the call's, recorded or about to be: a lease not given back expires by itself.
          deps.logger.warn({ destinationId: d.id, err: (err as Error).message }, 'lane could not end a call');
        }
      },
    };
  }

  private async onSuccess(
    deps: DeliveryDeps,
    d: Destination,
    keys: LaneKeys,
    result: PushResult,
    signalOpts: { dailyBudget?: number; dailyRecheckMs: number },
    probe: { probing: boolean; probingHold: boolean },
  ): Promise<void> {
    const signal = signalOfSuccess(result, signalOpts);
    await this.learn(keys, signal);
    if (signal.hold) await this.hold(deps, d.id, keys, signal.hold);
    else if (probe.probingHold) {
      await this.redis.del(keys.hold, keys.probe);
      await resumeDestination(deps, d.id, 'the vendor accepts calls again', this.redis);
    }
    if (d.healthState === 'paused' && d.healthReason !== 'MANUAL') {
      await resumeDestination(deps, d.id, probe.probing ? 'the probe call succeeded' : 'a call succeeded', this.redis);
    }
  }

  /**
   * Pauses (or, after a failed probe, keeps paused with a doubled cool-down); returns the next
   * probe's time, or now when the pause did not apply because the call was stale.
   *
   * Rejected credentials pause only under the credentials version the call started with (loaded
   * with the delivery). A call in flight while an admin PATCHed new credentials or config comes
   * back 401 for the old ones: it must not re-pause the destination the PATCH just resumed, and
   * its delivery simply goes again with the new ones. A version, not `updatedAt`, because a token
   * refresh also writes the row (Salesforce rotates tokens) and must not make every call stale.
   */
  private async pause(deps: DeliveryDeps, d: Destination, keys: LaneKeys, reason: HealthReason, message: string, probing: boolean): Promise<Date> {
    const { PAUSE_COOLDOWN_MS, PAUSE_MAX_COOLDOWN_MS } = deps.config;
    const credentialsVersion = reason === 'CREDENTIALS_REJECTED' ? d.credentialsVersion : undefined;
    if (probing) {
      await this.redis.del(keys.probe);
      const cooldownMs = Math.min(PAUSE_MAX_COOLDOWN_MS, (d.pauseCooldownMs ?? PAUSE_COOLDOWN_MS) * 2);
      return (await extendPause(deps, d.id, cooldownMs, reason, credentialsVersion)) ?? new Date();
    }
    const resumeAt = new Date(Date.now() + PAUSE_COOLDOWN_MS);
    const paused = await pauseDestination(deps, d.id, { reason, resumeAt, cooldownMs: PAUSE_COOLDOWN_MS, message, credentialsVersion });
    if (!paused && credentialsVersion !== undefined && !(await this.isCurrentVersion(deps, d.id, credentialsVersion))) {
      deps.logger.debug({ destinationId: d.id, credentialsVersion }, 'a rejection of replaced credentials does not pause the destination');
      return new Date();
    }
    return resumeAt;
  }

  private async isCurrentVersion(deps: DeliveryDeps, destinationId: string, credentialsVersion: number): Promise<boolean> {
    const row = await deps.db.destination.findUnique({ where: { id: destinationId }, select: { credentialsVersion: true } });
    return !row || row.credentialsVersion === credentialsVersion;
  }

  /** The vendor asked the whole lane to wait: every worker's deliveries of it wait too. */
  private async hold(deps: DeliveryDeps, destinationId: string, keys: LaneKeys, hold: LaneHold): Promise<void> {
    const until = Date.now() + hold.forMs;
    await this.redis
      .multi()
      .hset(keys.hold, { until: String(until), reason: hold.reason, probe: hold.probe ? '1' : '0' })
      .pexpire(keys.hold, hold.forMs + LEARNED_TTL_MS)
      .exec();
    const message = hold.reason === 'DAILY_LIMIT' ? 'the vendor’s daily allowance is spent (or our share of it)' : 'the vendor answered 429';
    await changeHealth(deps, destinationId, { state: 'throttled', reason: hold.reason, resumeAt: new Date(until), message }, ['active', 'throttled']);
  }

  private async learn(keys: LaneKeys, signal: LaneSignal): Promise<void> {
    if (!signal.learned) return;
    await this.redis
      .multi()
      .hset(keys.learned, { max: String(signal.learned.max), intervalMs: String(signal.learned.intervalMs) })
      .pexpire(keys.learned, LEARNED_TTL_MS)
      .exec();
  }

  private async claimProbe(keys: LaneKeys): Promise<boolean> {
    return (await this.redis.set(keys.probe, '1', 'PX', PROBE_CLAIM_MS, 'NX')) === 'OK';
  }

  /**
   * The wait of one delivery: `baseMs`, plus one `stepMs` per `perStep` deliveries ahead of it in
   * the lane (FIFO by when each first waited), so a backlog wakes a window's worth at a time.
   *
   * With `slotOpensAt` (a rate wait: when each call in the window leaves it, oldest first), the
   * delivery of rank r instead sleeps until exactly the slot that frees for it: the r-th call to
   * leave, or that slot reused a window later for every `perStep` ahead. A whole window's waiters
   * woken at the first opening would find one slot and all but one defer again; woken a fixed step
   * late, the window would idle. Measured on the 20/s proof (400 leads, 2 workers): 25.2 s before, 22.6–23.2 s after (ideal 20 s).
   */
  private async wait(
    keys: LaneKeys,
    deliveryId: string,
    reason: WaitReason,
    baseMs: number,
    perStep: number,
    stepMs: number,
    capMs = Infinity,
    opts: { slotOpensAt?: number[] } = {},
  ): Promise<LaneWait> {
    const now = Date.now();
    const replies = await this.redis
      .multi()
      .zremrangebyscore(keys.waiting, '-inf', now - LEARNED_TTL_MS)
      .zadd(keys.waiting, 'NX', now, deliveryId)
      .zrank(keys.waiting, deliveryId)
      .pexpire(keys.waiting, LEARNED_TTL_MS)
      .exec();
    const rank = Number(replies?.[2]?.[1] ?? 0);
    const spread = Math.floor(rank / Math.max(1, perStep)) * stepMs;
    const slots = opts.slotOpensAt;
    if (slots?.length) {
      // Calls beyond the limit in the window (a burst counted concurrently) must leave first.
      const j = rank + Math.max(0, slots.length - perStep);
      const slotAt = slots[j % slots.length] + Math.floor(j / slots.length) * stepMs;
      return { waitMs: Math.max(1, Math.round(slotAt - now)), reason };
    }
    const waitMs = Math.max(1, Math.min(capMs, baseMs + (reason === 'concurrency' ? stepMs + spread : spread)));
    return { waitMs: Math.round(waitMs), reason };
  }
}

function numberOr(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The pause PostgreSQL holds now. Asked only when the row this job loaded says paused but the
 * lane has no mirror of it: a resume deletes the mirror, so the loaded row may be older than
 * the resume, and trusting it would put the delivery to sleep for a manual pause's hour.
 */
async function currentPause(deps: DeliveryDeps, destinationId: string): Promise<{ reason: string | null; resumeAt: Date | null } | undefined> {
  const row = await deps.db.destination.findUnique({ where: { id: destinationId }, select: { healthState: true, healthReason: true, resumeAt: true } });
  return row?.healthState === 'paused' ? { reason: row.healthReason, resumeAt: row.resumeAt } : undefined;
}
