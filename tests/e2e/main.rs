//! Terbuka's end-to-end tests: one binary, a module per capability. Each test starts the real
//! server on a random port with a fresh database (SQLite, or PostgreSQL when
//! `TERBUKA_TEST_DATABASE_URL` is set) and a real SMTP server, and speaks HTTP to it.

mod browser;
mod db;
mod helpers;
mod smtp;

mod accounts;
mod archive;
mod authorization;
mod bounces;
mod compiled;
mod compliance;
mod digests;
mod documents;
mod events;
mod explorer;
mod faults;
mod foundation;
mod graphql_conventions;
mod hostile;
mod http;
mod inputs;
mod mail;
mod n_plus_one;
mod national;
mod plans;
mod privacy;
mod process;
mod public_pages;
mod publications;
mod readme;
mod registrations;
mod reports;
mod sheets;
mod spa;
mod sqlite;
mod subscriptions;
