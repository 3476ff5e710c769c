-- The worker's two hottest statements, run by every delivery in batches of its concurrent jobs
-- (packages/delivery/src/load-delivery.ts and record-outcome.ts call them). As plain statements
-- PostgreSQL planned each one on every call: 0.35-0.4 ms of a 0.7-1.3 ms statement, measured on
-- the bench database. Inside PL/pgSQL the plan is made once per connection and reused
-- (force_generic_plan). A plan made once must not depend on the tables' size when it was made:
-- on a new, empty database the planner picks sequential scans, and a connection would go on
-- scanning as the tables grow (measured: PostgreSQL's CPU per delivery tripled in the bench). So
-- each function plans without sequential scans, hash or merge joins: nested primary-key lookups,
-- the right plan for at most a batch of ids whatever the tables hold (hot-statement-plans.test.ts).
-- Unnamed statements calling a function still pass through PgBouncer in transaction mode.
-- Changing either statement: a new migration with CREATE OR REPLACE FUNCTION.

-- Deliveries by id, each with its lead, destination and flow (null when it has none).
CREATE FUNCTION load_deliveries(ids text[])
RETURNS TABLE (delivery deliveries, lead leads, destination destinations, flow flows)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
  RETURN QUERY
    SELECT d, l, dst, f
    FROM deliveries d
    JOIN leads l ON l.id = d.lead_id
    LEFT JOIN destinations dst ON dst.id = d.destination_id
    LEFT JOIN flows f ON f.id = d.flow_id
    WHERE d.id = ANY(ids);
END $$;

-- Marks deliveries succeeded, logs their calls and marks their leads synced; every argument holds
-- one value per success, in the same order.
CREATE FUNCTION record_successes(
  delivery_ids text[], attempt_ids text[], starts timestamp[], durations int[], status_codes int[],
  metas jsonb[], external_ids text[], rounds int[], batch_sizes int[]
) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
    -- Timestamps are stored as UTC without a zone, as Prisma writes them.
    WITH input AS (
      SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9)
        AS t(delivery_id, attempt_id, started_at, duration_ms, status_code, meta, external_id, round, batch_size)
    ), counted AS (
      -- A job of an earlier round (superseded by an explicit push while calling) counts its call only.
      UPDATE deliveries d SET attempts = d.attempts + 1, updated_at = (now() AT TIME ZONE 'UTC')
      FROM input WHERE d.id = input.delivery_id AND d.round <> input.round
      RETURNING d.id
    ), done AS (
      UPDATE deliveries d
      SET status = 'succeeded', attempts = d.attempts + 1, last_status_code = input.status_code, last_error_code = NULL,
          last_error_message = NULL, last_error_retryable = NULL, external_id = coalesce(input.external_id, d.external_id),
          next_retry_at = NULL, updated_at = (now() AT TIME ZONE 'UTC')
      FROM input WHERE d.id = input.delivery_id AND d.round = input.round
      RETURNING d.id, d.lead_id, d.kind
    ), logged AS (
      -- Only for the rows just updated (and so locked): a delivery erased with its lead while its
      -- call ran is skipped, instead of a foreign-key error failing the whole batch.
      INSERT INTO attempts (id, delivery_id, started_at, duration_ms, status_code, meta, batch_size)
      SELECT input.attempt_id, input.delivery_id, input.started_at, input.duration_ms, input.status_code, input.meta, input.batch_size
      FROM input WHERE input.delivery_id IN (SELECT id FROM done UNION ALL SELECT id FROM counted)
    )
    UPDATE leads SET status = 'synced', updated_at = (now() AT TIME ZONE 'UTC')
    WHERE id IN (SELECT lead_id FROM done WHERE kind = 'crm') AND status <> 'synced';
END $$;
