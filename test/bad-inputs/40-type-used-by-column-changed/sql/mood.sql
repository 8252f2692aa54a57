CREATE TYPE mood AS (level int, label text, extra int);
