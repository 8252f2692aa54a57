-- a procedure turned into a function with the same signature
CREATE FUNCTION public.touch(n integer) RETURNS integer
LANGUAGE sql AS $$ SELECT n $$;
