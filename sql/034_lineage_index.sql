-- 034 one index fewer on product_sources (issue 4, benchmark; docs/performance.md).
-- product_sources_product_idx (vendor_id, product_id) of migration 006 is the
-- prefix of the unique product_sources_product_source_key (vendor_id, product_id,
-- source) of migration 014, which serves every lookup it served. Each product a batch
-- writes inserted into both.
DROP INDEX product_sources_product_idx;
