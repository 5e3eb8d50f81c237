-- 026 batch plan mode (issues 4 and 5, benchmark; docs/performance.md, "One round
-- trip for a read, and batches that keep their per-row plans").
-- The API's sessions plan with force_custom_plan (src/db/db.c), and that mode
-- reaches every statement run inside a statement: the row triggers' queries (the
-- category scope check of od_products_before_write) and the foreign key checks were
-- planned again for every row of a batch, a third of a 10,000-item upsert.
-- Inside the two batch upserts the mode is PostgreSQL's default again: those
-- statements keep their generic plans after the fifth row. Every query that runs
-- per row there reads an unpartitioned table (vendors, tax_categories,
-- tax_cuisines, product_barcodes), so no generic plan over the partitioned parents
-- is ever built (the stall that made the API choose force_custom_plan); the
-- functions' own statements are planned once per call, as before.
ALTER FUNCTION od_products_upsert(uuid, jsonb, product_source_kind, text)
    SET plan_cache_mode = auto;
ALTER FUNCTION od_customers_upsert(uuid, jsonb, text)
    SET plan_cache_mode = auto;
