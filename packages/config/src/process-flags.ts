/**
 * The Node flags the api and the worker run with, wherever they are started: scripts/start.js,
 * the bench and the process tests use this list; the npm start scripts, the Dockerfile and
 * docker-compose.yml spell it out (process-flags.unit.test.ts holds them to it), so what is
 * measured is what runs.
 *
 * Measured with the bench (README, Memory), RSS after the run: api 374 -> ~140-175 MB, worker
 * 401 -> ~160 MB. The live JS heap is 35-60 MB in either process; the rest was:
 * - `--liftoff-only`: tiering the hot functions of Prisma 7's WebAssembly query compiler (3.4 MB
 *   then; 1.7 MB since it is the build made for size, see prisma/schema.prisma) up to TurboFan
 *   peaked at 70-90 MB of compiler memory that glibc keeps after it is freed (13-17 MB with
 *   Liftoff only). CPU per lead and per delivery did not change with it.
 * - `--max-old-space-size=1024`: with a limit above 2 GB V8 lets the old space grow to up to 4x
 *   the live heap before collecting (159 MB for 57 MB in use); 1 GB is far above what these
 *   processes hold (bodies and answers are capped) and brings that factor to ~1.6.
 * - `--max-semi-space-size=4`: the young generation grew to ~30 MB under load; 8 MB still lets
 *   request garbage die young.
 * Tighter (`--heap-growing-percent=30 --max-semi-space-size=2`) took the worker to ~146 MB but
 * cost 25-35 % more CPU per lead and per delivery in back-to-back runs, so it is not used.
 */
export const PROCESS_NODE_FLAGS: readonly string[] = ['--liftoff-only', '--max-old-space-size=1024', '--max-semi-space-size=4'];
