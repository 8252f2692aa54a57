-- fixture for every test: two accounts
INSERT INTO app.accounts (name) VALUES ('alice'), ('bob');
