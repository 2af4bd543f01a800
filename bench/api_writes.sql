-- The database's floor for one API create (bench/api_writes.py runs it with pgbench):
-- the transaction POST /v1/orders makes, as plain SQL, one statement per step.
--   pgbench -n -f bench/api_writes.sql -c 10 -j 2 -T 30 \
--     -D ncustomers=200000 -D nproducts=200 -D run=$RANDOM bench_writes
-- Customers are CUST-000001 … and products PROD-0001 … (bench/seed_demo.py's data). Every
-- transaction creates a new order (its id and source ID from run, client and a random n).
\set c random(1, :ncustomers)
\set p1 random(1, :nproducts)
\set p2 random(1, :nproducts)
-- Up to 1e12: from 1..1e9 a 30-s run drew the same number twice now and then.
-- The ids ('ord_p' or 'cust_p', run, client, n) fit their columns with up to 100 clients.
\set n random(1, 999999999999)
BEGIN;
-- the order's and the customer's advisory locks (orders.locks, api.order_payloads)
SELECT count(pg_advisory_xact_lock(hashtextextended(name, 0)))
  FROM unnest(ARRAY['order:pgb-' || :run || '-' || :client_id || '-' || :n,
                    'customer:CUST-' || lpad(:c::text, 6, '0')]) AS name;
-- the customer: created if new, else found (no write when it exists, as the API)
WITH created AS (
    INSERT INTO customers_customer
        (id, source_id, name, email, phone, description, address_line_1, address_line_2,
         city, state, postal_code, country, metadata, created_at, updated_at,
         orders_total_amount, orders_total_count)
    VALUES ('cust_p' || :run || '_' || :client_id || '_' || :n,
            'CUST-' || lpad(:c::text, 6, '0'), 'Bench', '', '', '', '', '', '', '', '', '',
            '{}', now(), now(), 0, 0)
    ON CONFLICT (source_id) DO NOTHING
    RETURNING id
)
SELECT id FROM created
UNION ALL
SELECT id FROM customers_customer WHERE source_id = 'CUST-' || lpad(:c::text, 6, '0')
LIMIT 1;
INSERT INTO orders_order
    (id, source_id, status, amount, initial_amount, discount_amount, items_discount_amount,
     total_discount_amount, total_amount, items_count, customer_id, referrer_id, metadata,
     created_at, updated_at, version, creation_key)
VALUES ('ord_p' || :run || '_' || :client_id || '_' || :n,
        'pgb-' || :run || '-' || :client_id || '-' || :n, 'PAID', 7490, 7490, 0, 500, 500,
        6990, 3,
        (SELECT id FROM customers_customer WHERE source_id = 'CUST-' || lpad(:c::text, 6, '0')),
        NULL, '{"channel": "web", "locale": "en-GB", "payment_method": "Visa"}', now(), now(),
        1, NULL);
-- the 2 items, their products found by source ID
INSERT INTO orders_orderitem
    (order_id, position, related_object, product_id, sku_id, source_id, quantity, price,
     amount, discount_amount, subtotal_amount, metadata)
SELECT 'ord_p' || :run || '_' || :client_id || '_' || :n, line.position, 'product',
       product.id, NULL, line.source_id, line.quantity, line.price,
       line.quantity * line.price, line.discount, line.quantity * line.price - line.discount,
       '{}'
FROM (VALUES (0, 'PROD-' || lpad(:p1::text, 4, '0'), 2, 1250, 0),
             (1, 'PROD-' || lpad(:p2::text, 4, '0'), 1, 4990, 500))
     AS line (position, source_id, quantity, price, discount)
LEFT JOIN orders_product AS product ON product.source_id = line.source_id;
INSERT INTO orders_orderevent
    (order_id, type, actor_type, actor_user_id, actor_label, changes, version, created_at)
VALUES ('ord_p' || :run || '_' || :client_id || '_' || :n, 'created', 'api_key', NULL,
        'API key bench',
        '{"status": [null, "PAID"], "amount": [null, 7490], "total_amount": [null, 6990], "items_count": [null, 3], "customer_id": [null, null], "referrer_id": [null, null]}',
        1, now());
-- the purchase summary, by arithmetic
UPDATE customers_customer
SET orders_total_amount = LEAST(orders_total_amount::numeric + 6990, 9223372036854775807)::bigint,
    orders_total_count = orders_total_count + 1,
    orders_last_order_amount = 6990,
    orders_last_order_date = now()
WHERE source_id = 'CUST-' || lpad(:c::text, 6, '0');
COMMIT;
