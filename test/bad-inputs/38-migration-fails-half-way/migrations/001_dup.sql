UPDATE t SET a = a + 1;
INSERT INTO t (id) VALUES (1);
