CREATE PROCEDURE public.touch(n integer) LANGUAGE sql AS $$ SELECT n $$;
