import type { z } from 'zod';
import type { NormalisedLead } from './normalise/normalised-lead';

export type SourceType = 'form' | 'webhook' | 'meta_lead_ads' | 'google_ads';

/** One call to /in/<token>, as received: the raw bytes, before anything is parsed. */
export interface SourceRequest {
  method: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: URLSearchParams;
  rawBody: Buffer;
  receivedAt: Date;
}

/** What a module made of a call. */
export type Intake =
  /** Leads ready to store. */
  | { kind: 'leads'; leads: NormalisedLead[]; redirectUrl?: string }
  /** Leads the platform only announced: each reference is fetched by a job (fetchLead). */
  | { kind: 'fetch'; refs: string[] }
  /** A call that carries no lead and gets this exact answer (a verification handshake). */
  | { kind: 'reply'; status: number; contentType: string; body: string }
  /** Accepted silently and stored as nothing (a filled honeypot). */
  | { kind: 'ignored'; reason: string };

export interface SourceContext<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  /** ALLOW_PRIVATE_DESTINATIONS: loopback and private networks allowed for fetches. */
  allowPrivateNetworks: boolean;
}

/** Everything the rest of the system knows about one source type. One folder implements one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds modules of different config types
export interface SourceModule<Config = any, Credentials = any> {
  type: SourceType;
  configSchema: z.ZodType<Config>;
  /** Without credentials a source of this type is accepted only when this schema takes `{}`. */
  credentialsSchema: z.ZodType<Credentials>;
  /** HTTP methods /in/<token> answers for this type (OPTIONS preflights are answered for forms). */
  methods: readonly string[];
  /** Calls per minute one source takes before 429 when its config sets none. */
  defaultRateLimitPerMinute: number;
  /** The answer to a call that stored a new lead (what the platform expects). */
  acceptedStatus: 200 | 202;
  /** Largest body accepted (413 beyond it). */
  maxBodyBytes: number;
  /** Browser origins allowed to post (CORS preflights and answers); undefined: no CORS. */
  corsOrigins?(config: Config): string[] | undefined;
  /** Verifies and parses one call; throws SourceError (status + code) to refuse it. */
  receive(req: SourceRequest, ctx: SourceContext<Config, Credentials>): Promise<Intake> | Intake;
  /** Fetches and normalises one lead the platform announced (`fetch` intakes); throws SourceError. */
  fetchLead?(ref: string, ctx: SourceContext<Config, Credentials>, receivedAt: Date): Promise<NormalisedLead>;
}
