-- One database per node (each node owns its schema and migrations). Run once by
-- the postgres image at first start (docker-entrypoint-initdb.d).
CREATE DATABASE "consortium-1";
CREATE DATABASE "consortium-2";
CREATE DATABASE "provider-a";
CREATE DATABASE "provider-b";
CREATE DATABASE "provider-c";
CREATE DATABASE "regulator";
