CREATE FUNCTION calculate_total(p_user_id integer)
RETURNS numeric
LANGUAGE sql STABLE
AS $$
    SELECT COALESCE(SUM(amount), 0) FROM orders WHERE user_id = p_user_id
$$;
