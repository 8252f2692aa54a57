BEGIN;
CREATE TABLE x (id int);
