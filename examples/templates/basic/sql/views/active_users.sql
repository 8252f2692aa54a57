CREATE VIEW active_users AS
SELECT id, name, email
FROM users
WHERE active;
