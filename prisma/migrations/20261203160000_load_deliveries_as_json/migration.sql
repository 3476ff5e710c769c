-- The worker's load (packages/delivery/src/load-delivery.ts) as one JSON object per table row
-- (row_to_json) instead of the ~70 columns its statement used to name one by one. PostgreSQL
-- parsed and planned that select list on every call: with pgbench, a 5-delivery load took
-- 0.58-0.62 ms against 0.41-0.42 ms for this one, and its client spent 0.44-0.75 ms decoding
-- the columns against 0.34-0.43 ms for the JSON. The objects name their own columns, so a
-- column added to one of these tables needs no change here. Planned like the functions of
-- 20261203080000_hot_statement_functions: once per connection, by primary key whatever the
-- tables hold (hot-statement-plans.test.ts).
CREATE FUNCTION load_deliveries_as_json(ids text[])
RETURNS TABLE (delivery json, lead json, destination json, flow json)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
  RETURN QUERY
    SELECT row_to_json(d), row_to_json(l), row_to_json(dst), row_to_json(f)
    FROM deliveries d
    JOIN leads l ON l.id = d.lead_id
    LEFT JOIN destinations dst ON dst.id = d.destination_id
    LEFT JOIN flows f ON f.id = d.flow_id
    WHERE d.id = ANY(ids);
END $$;

-- Workers of the previous release still call load_deliveries while a rolling deploy replaces
-- them; the next migration that changes these functions drops it.
COMMENT ON FUNCTION load_deliveries(text[]) IS 'superseded by load_deliveries_as_json; kept for workers of the previous release';
