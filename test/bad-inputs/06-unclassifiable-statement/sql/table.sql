CREATE TABLE nope (id int);
