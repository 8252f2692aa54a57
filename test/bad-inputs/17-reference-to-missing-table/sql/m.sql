-- reads a table that is not there
CREATE VIEW m AS
SELECT * FROM no_such_table;
