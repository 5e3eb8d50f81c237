-- 019 customer search from the time index (issue 5, benchmark; docs/performance.md).
-- A list of customers with a word is a page by updated_at: with 32 hash leaves the
-- merge of their time indexes tests about 9,600 rows for a word in 1 % of the
-- customers, and each test read a heap page for search_tsv (24 ms of execution
-- for "smith" at 1,000,000 customers). The time index now carries search_tsv, so
-- the page's keys of a search come from index-only scans (execution 18 -> 6 ms,
-- planning included 23 -> 14 ms), and the documents are read for the page's rows
-- only (src/db/customers.c). It replaces the time index of 005, which it covers.
CREATE INDEX customers_vendor_updated_tsv_idx
    ON customers (vendor_id, updated_at DESC, id DESC) INCLUDE (search_tsv);
DROP INDEX customers_vendor_updated_idx;
