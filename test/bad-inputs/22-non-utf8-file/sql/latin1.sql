CREATE VIEW l AS SELECT 'café' AS word;
