-- where this database was deployed for, from the env param
CREATE TABLE app.settings (
    key text PRIMARY KEY,
    value text NOT NULL
);

INSERT INTO app.settings (key, value)
VALUES ('environment', current_setting('pgmg.param.env'));
