-- booking on an account that does not exist is refused
DO $$
BEGIN
    PERFORM api.book_entry('nobody', 1);
    RAISE EXCEPTION 'book_entry accepted an unknown account';
EXCEPTION WHEN no_data_found THEN
    NULL;
END $$;
