CREATE VIEW public.pair AS SELECT 1 AS a, 2 AS b;
