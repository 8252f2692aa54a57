CREATE TABLE orders (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id),
    amount numeric(10,2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
