-- Run once by the postgres image on an empty volume (docker-entrypoint-initdb.d): the deployment's database beside
-- liandong_test (the integration tests' database, created by POSTGRES_DB). The liandong processes create their
-- schema and tables themselves (DATABASE_SCHEMA, default `liandong`).
CREATE DATABASE liandong;
