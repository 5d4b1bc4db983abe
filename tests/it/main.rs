//! The integration tests: the real server, a real database (SQLite by default, PostgreSQL with
//! `ACQUIS_TEST_DATABASE_URL`), a real SMTP server, and a real browser for the journeys.

mod browser;
mod crash;
mod harness;
mod oidc_peer;

mod accounts;
mod admin;
mod exports;
mod hardening;
mod invitations;
mod isolation;
mod journeys;
mod profile;
mod results;
mod schema;
mod security;
mod sso;
mod student;
mod students;
mod studio;
mod team;
