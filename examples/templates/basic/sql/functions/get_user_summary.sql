-- one user's name, order count and status
CREATE FUNCTION get_user_summary(p_user_id integer)
RETURNS TABLE (name text, order_count bigint, status user_status)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT s.name, s.order_count,
           CASE WHEN s.order_count > 0 THEN 'active'::user_status
                ELSE 'inactive'::user_status END
    FROM user_stats s
    WHERE s.id = p_user_id;
END;
