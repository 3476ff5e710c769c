/**
 * The Node flags the api and the worker run with, wherever they are started: scripts/start.js,
 * the npm start scripts, the Dockerfile and docker-compose.yml (process-flags.unit.test.ts holds
 * those files to this list), the bench and the process tests, so what is measured is what runs.
 *
 * Measured on the bench (1 500 leads x 3 destinations, then a paced phase), RSS after the run:
 * without them api ~330 MB and worker ~375 MB; with them ~150 MB each, at the same CPU per
 * delivery. Live JS heap is only 35-60 MB in either process; the rest was:
 * - `--liftoff-only`: Prisma 7 compiles its queries in a 3.4 MB WebAssembly module; V8 tiering its
 *   hot functions up to TurboFan peaked at 50-90 MB of compiler memory that glibc never hands
 *   back, plus the optimised code. Liftoff's baseline code is fast enough here: a loop of Prisma
 *   queries took no more CPU without TurboFan.
 * - `--max-old-space-size=1024`: well above any live heap these processes hold (bodies and answers
 *   are capped), and it is what lowers V8's heap growing factor from 4x to ~1.6x of the live heap,
 *   which is where ~100 MB of old-space headroom went under load.
 * - `--max-semi-space-size=4`: the young generation grew to 32 MB under load; 8 MB still lets
 *   short-lived request garbage die young.
 */
export const PROCESS_NODE_FLAGS: readonly string[] = ['--liftoff-only', '--max-old-space-size=1024', '--max-semi-space-size=4'];
