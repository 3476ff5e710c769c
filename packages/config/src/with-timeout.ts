/**
 * `promise`, or a rejection with `message` once `ms` have passed. For reads that must answer
 * while a dependency is down (health checks, metric scrapes): drivers wait for a connection
 * indefinitely. The timer never keeps the process alive.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = 'timed out'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
