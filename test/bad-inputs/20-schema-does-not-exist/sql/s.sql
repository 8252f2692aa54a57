CREATE VIEW nowhere.v AS SELECT 1 AS one;
