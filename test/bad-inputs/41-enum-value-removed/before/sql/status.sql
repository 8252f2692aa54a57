CREATE TYPE status AS ENUM ('open', 'closed');
