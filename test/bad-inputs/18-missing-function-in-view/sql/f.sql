CREATE VIEW f AS SELECT no_such_function(id) FROM t;
