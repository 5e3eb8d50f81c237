-- 036 the images of existing products in their rows (issue 4; migration 035).
-- Each product with image rows gets their list in products.images, as
-- od_products_upsert writes it, without touching updated_at: the products did not
-- change. A transaction of its own after 035, one UPDATE of every product that has
-- images: reads go on meanwhile, product writes wait for it (the SHARE ROW EXCLUSIVE
-- lock of DISABLE TRIGGER). An upsert that ran between 035 and this file wrote the
-- column and the rows together, so the lists made here from the rows are the same.

ALTER TABLE products DISABLE TRIGGER trg_touch_updated_at;
UPDATE products p SET images = x.images
  FROM (SELECT i.vendor_id, i.product_id,
               jsonb_agg(jsonb_build_object('url', i.url, 'alt', i.alt, 'order', i.sort_order)
                         ORDER BY i.sort_order, i.url COLLATE "C") AS images
          FROM product_images i GROUP BY i.vendor_id, i.product_id) x
 WHERE p.vendor_id = x.vendor_id AND p.id = x.product_id;
ALTER TABLE products ENABLE TRIGGER trg_touch_updated_at;
