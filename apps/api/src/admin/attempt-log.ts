import { html, type SafeHtml } from './html';
import { time } from './layout';

/** Attempts shown per delivery; a delivery swept many times has many more. */
export const ATTEMPTS_SHOWN = 20;

/** The newest ATTEMPTS_SHOWN attempts, for a Prisma `include` of a delivery's attemptLog. */
export const RECENT_ATTEMPTS = { orderBy: { startedAt: 'desc' }, take: ATTEMPTS_SHOWN } as const;

export interface AttemptRow {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  batchSize: number | null;
}

/**
 * A delivery's calls, oldest first, in a <details> box (`open` shows it unfolded).
 * `newestFirst` is the RECENT_ATTEMPTS slice; `total` is the delivery's attempt count.
 */
export function attemptLog(newestFirst: AttemptRow[], total: number, opts: { open?: boolean; status?: string } = {}): SafeHtml {
  if (!newestFirst.length) {
    const why = !opts.status || opts.status === 'failed' ? ' (the failure came before any)' : ' yet';
    return html`<p class="muted" data-role="no-attempts">No call was made${why}.</p>`;
  }
  const attempts = newestFirst.slice().reverse();
  const more = total > attempts.length ? html` (the last ${attempts.length} of ${total})` : '';
  return html`<details${opts.open ? html` open` : ''}><summary>Attempt log${more}</summary><table class="attempts">
<thead><tr><th>At</th><th>Duration</th><th>HTTP</th><th>Batch</th><th>Error</th></tr></thead>
<tbody>${attempts.map(
    (a) =>
      html`<tr><td>${time(a.startedAt)}</td><td>${a.durationMs} ms</td><td>${a.statusCode ?? '—'}</td><td>${a.batchSize ?? '—'}</td><td>${
        a.errorCode ? html`<code>${a.errorCode}</code> ${a.errorMessage ?? ''}` : 'ok'
      }</td></tr>`,
  )}</tbody></table></details>`;
}
