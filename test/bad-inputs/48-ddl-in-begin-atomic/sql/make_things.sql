CREATE FUNCTION public.make_things() RETURNS integer LANGUAGE sql
BEGIN ATOMIC
  CREATE TABLE public.things (a integer);
  SELECT 1;
END;
