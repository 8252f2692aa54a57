CREATE TABLE account (id int, status status);
