import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { guardedLookup } from '../outbound-http';

/**
 * The SDK (node-fetch 2 underneath) passes no AbortSignal and no timeout, but it does take an
 * `httpAgent`. These agents destroy a socket that stays silent for `timeoutMs` with an ETIMEDOUT
 * error, which fails the call like any network error. Shared per (protocol, timeout): a keep-alive
 * connection pool, not adapter state.
 */
const agents = new Map<string, http.Agent>();

export function timeoutAgent(baseUrl: string, timeoutMs: number, allowPrivateNetworks: boolean): http.Agent {
  const secure = baseUrl.startsWith('https:');
  const key = `${secure ? 'https' : 'http'}:${timeoutMs}:${allowPrivateNetworks}`;
  let agent = agents.get(key);
  if (!agent) {
    // `timeout` also keeps the deadline armed on sockets the agent reuses; the guarded lookup
    // vets the address again at connect time, as the undici calls do.
    const options = { keepAlive: true, maxSockets: 64, timeout: timeoutMs, ...(allowPrivateNetworks ? {} : { lookup: guardedLookup }) };
    agent = secure ? new https.Agent(options) : new http.Agent(options);
    armDeadline(agent, timeoutMs);
    agents.set(key, agent);
  }
  return agent;
}

function armDeadline(agent: http.Agent, timeoutMs: number): void {
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Socket }).createConnection.bind(agent);
  Object.assign(agent, {
    createConnection: (...args: unknown[]) => {
      const socket = create(...args);
      // Idle pooled sockets time out too: the agent has an error listener on those, so this is quiet.
      socket.on('timeout', () => socket.destroy(timeoutError(timeoutMs)));
      return socket;
    },
  });
}

function timeoutError(timeoutMs: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
}
