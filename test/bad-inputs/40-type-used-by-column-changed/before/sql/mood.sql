CREATE TYPE mood AS (level int, label text);
