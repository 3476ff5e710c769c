/**
 * The Node flags the api and the worker run with, wherever they are started: scripts/start.js,
 * the bench and the process tests use this list; the npm start scripts, the Dockerfile and
 * docker-compose.yml spell it out (process-flags.unit.test.ts holds them to it), so what is
 * measured is what runs.
 *
 * Measured with the bench (README, Memory), RSS after the run: api 374 -> ~140 MB, worker
 * 401 -> ~145 MB, CPU per lead and per delivery unchanged within this machine's noise. The live
 * JS heap is 35-60 MB in either process; the rest was:
 * - `--liftoff-only`: tiering the hot functions of Prisma 7's 3.4 MB WebAssembly query compiler
 *   up to TurboFan peaked at 70-90 MB of compiler memory that glibc keeps after it is freed
 *   (13-17 MB with Liftoff only). A loop of Prisma queries took no more CPU on Liftoff code;
 *   undici's WebAssembly HTTP parser costs ~10 µs more per call.
 * - `--max-old-space-size=1024` and `--heap-growing-percent=30`: with a limit above 2 GB V8 lets
 *   the old space grow to up to 4x the live heap before collecting (159 MB for 57 MB in use);
 *   1 GB is far above what these processes hold (bodies and answers are capped), and the
 *   growing factor becomes 1.3.
 * - `--max-semi-space-size=2`: the young generation grew to ~30 MB under load; 4 MB still lets
 *   request garbage die young.
 */
export const PROCESS_NODE_FLAGS: readonly string[] = ['--liftoff-only', '--max-old-space-size=1024', '--heap-growing-percent=30', '--max-semi-space-size=2'];
