import { FakeServer, type FakeRequest, type FakeResponse } from '../fake-server';

export const FAKE_PAGE_TOKEN = 'fake-page-access-token';

export interface FakeGraphLead {
  id: string;
  created_time: string;
  ad_id?: string;
  form_id?: string;
  field_data: { name: string; values: string[] }[];
}

/** Graph's answer for a token it does not accept (expired, revoked or never issued). */
const expiredToken = (): FakeResponse => ({
  status: 400,
  body: {
    error: {
      message: 'Error validating access token: Session has expired on Tuesday, 01-Dec-26 10:00:00 PST.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
      fbtrace_id: 'AbCdEfGhIjK',
    },
  },
});

/**
 * A fake Graph API serving Lead Ads leads as `GET /{version}/{leadgen_id}`, with the page token
 * as `?access_token=` or `Authorization: Bearer`. A token not in `pageTokens` gets Graph's
 * OAuthException 190; an unknown lead code 100. Route name (for `server.script`): lead.
 */
export class FakeGraph {
  readonly server = new FakeServer();
  readonly leads = new Map<string, FakeGraphLead>();
  readonly pageTokens = new Set<string>([FAKE_PAGE_TOKEN]);

  constructor() {
    this.server.route('lead', 'GET', '/:version/:id', (req) => this.lead(req));
  }

  get url(): string {
    return this.server.url;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Adds a lead with these answers (`{email: 'a@b.c', full_name: 'Ada Lovelace'}`) and returns its id. */
  addLead(answers: Record<string, string>, id = String(4_000_000_000 + this.leads.size + 1)): string {
    this.leads.set(id, {
      id,
      created_time: '2026-03-07T14:30:00+0000',
      ad_id: '777',
      form_id: '555',
      field_data: Object.entries(answers).map(([name, value]) => ({ name, values: [value] })),
    });
    return id;
  }

  /** Fetches of one lead so far. */
  fetchesOf(id: string): number {
    return this.server.callsTo('lead').filter((r) => r.path.endsWith(`/${id}`)).length;
  }

  private lead(req: FakeRequest): FakeResponse {
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const token = bearer ?? req.query.get('access_token');
    if (!token || !this.pageTokens.has(token)) return expiredToken();
    if (!/^v\d+\.\d+$/.test(req.params.version))
      return { status: 400, body: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500 } } };
    const lead = this.leads.get(req.params.id);
    if (!lead) {
      return {
        status: 400,
        body: {
          error: {
            message: `Unsupported get request. Object with ID '${req.params.id}' does not exist`,
            type: 'GraphMethodException',
            code: 100,
            error_subcode: 33,
          },
        },
      };
    }
    return { status: 200, body: lead };
  }
}

export function createFakeGraph(): FakeGraph {
  return new FakeGraph();
}
