CREATE TABLE person (id int, mood mood);
