CREATE INDEX t_twice_idx ON t (twice(a));
