-- The api's routing read (packages/delivery/src/plan-deliveries.ts), which comes before every
-- lead insert, as a PL/pgSQL function planned once per connection like insert_leads: with
-- pgbench, 0.16-0.18 ms as a plain statement against 0.035 ms prepared. It reads two tables by
-- account, so, like the worker's functions, its plan must not be a sequential scan made while
-- they were small (hot-statement-plans.test.ts).
--
-- The enabled flows, then the usable destinations, of the given accounts, each in id order.
CREATE FUNCTION load_routing(account_ids text[])
RETURNS TABLE (part text, id text, "accountId" text, "when" jsonb, actions jsonb, routing text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT 'flow'::text, f.id, f.account_id, f."when", f.actions, NULL::text
    FROM flows f WHERE f.account_id = ANY(account_ids) AND f.enabled
    UNION ALL
    SELECT 'destination'::text, d.id, d.account_id, NULL::jsonb, NULL::jsonb, d.routing
    FROM destinations d WHERE d.account_id = ANY(account_ids) AND d.enabled AND d.deleted_at IS NULL
    ORDER BY 1, 2;
END $$;
