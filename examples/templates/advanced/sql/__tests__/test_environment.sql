-- the database records the environment it was deployed for
DO $$
BEGIN
    IF (SELECT name FROM api.environment) IS DISTINCT FROM current_setting('pgmg.param.env') THEN
        RAISE EXCEPTION 'deployed for %, running as %',
            (SELECT name FROM api.environment), current_setting('pgmg.param.env');
    END IF;
END $$;
