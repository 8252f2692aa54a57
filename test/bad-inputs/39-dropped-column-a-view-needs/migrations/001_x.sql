CREATE TABLE x (id int, a int);
