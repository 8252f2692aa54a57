-- a typo
CREATE TABEL x (id int);
