CREATE VIEW user_stats AS
SELECT users.id, users.name, COUNT(orders.id) AS order_count
FROM users
LEFT JOIN orders ON users.id = orders.user_id
GROUP BY users.id, users.name;

COMMENT ON VIEW user_stats IS 'orders per user';
