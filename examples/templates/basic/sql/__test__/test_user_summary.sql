-- a user with two orders is active, with an order count of 2
INSERT INTO users (id, name) VALUES (1000, 'test user');
INSERT INTO orders (user_id, amount) VALUES (1000, 10.00), (1000, 5.50);

DO $$
DECLARE
    s record;
BEGIN
    SELECT * INTO s FROM get_user_summary(1000);
    IF s.order_count <> 2 OR s.status <> 'active' THEN
        RAISE EXCEPTION 'expected 2 orders and active, got % and %', s.order_count, s.status;
    END IF;
    IF calculate_total(1000) <> 15.50 THEN
        RAISE EXCEPTION 'expected a total of 15.50, got %', calculate_total(1000);
    END IF;
END $$;
