/** What node-postgres, PostgreSQL and Prisma attach to the errors they throw. */
interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Socket-level failures on the way to PostgreSQL. */
const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];
/**
 * SQLSTATEs meaning "the server cannot serve you right now", not "your statement is wrong":
 * the 08 class is connection exceptions; 57P01–57P03 are shutdown, crash and start-up;
 * 53300 is too many connections. Prisma's own connection codes too.
 */
const UNAVAILABLE_CODES = ['57P01', '57P02', '57P03', '53300', 'P1001', 'P1002', 'P1008', 'P1017', 'P2024'];
/** Kinds Prisma's driver adapter reports for a broken connection. */
const ADAPTER_KINDS = ['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseUnavailable'];
/** node-postgres throws plain Errors with no code for these. */
const DRIVER_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Can't reach database|DatabaseNotReachable|server closed the connection/i;

/**
 * Whether an error means PostgreSQL could not be reached or dropped the connection (so the
 * statement may not have run), as opposed to a statement it refused. Walks the cause chain:
 * Prisma wraps the driver's error, and the driver wraps the socket's.
 */
export function isConnectionLoss(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current = err as ErrorLike | undefined;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = String(current.code ?? '');
    if (NETWORK_CODES.includes(code) || UNAVAILABLE_CODES.includes(code) || code.startsWith('08')) return true;
    if (ADAPTER_KINDS.includes(String(current.kind))) return true;
    if (current.name === 'PrismaClientInitializationError') return true;
    if (DRIVER_MESSAGES.test(String(current.message ?? ''))) return true;
    current = (current.meta?.driverAdapterError ?? current.cause) as ErrorLike | undefined;
  }
  return false;
}
