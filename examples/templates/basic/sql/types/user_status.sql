CREATE TYPE user_status AS ENUM ('active', 'inactive', 'banned');
