CREATE TABLE x (id int, extra int);
