SET search_path = public;
CREATE VIEW s AS SELECT 1 AS one;
