CREATE VIEW tv AS SELECT id, a::bigint AS a FROM t WHERE a > 0;
