CREATE AGGREGATE agg (basetype = integer, sfunc = int4pl, stype = integer);
