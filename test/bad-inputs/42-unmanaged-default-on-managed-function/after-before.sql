ALTER TABLE t ADD COLUMN fee integer DEFAULT fee();
