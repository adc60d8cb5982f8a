//! Terbuka's API: configuration, HTTP (axum), the GraphQL schema and start-up. In the
//! all-in-one mode it runs the worker in the same process.
#![recursion_limit = "256"]

pub mod app;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod demo;
pub mod errors;
pub mod graphql;
pub mod http;
/// The deployment's first administrator (the domain's; here for the command line and tests).
pub use entity::accounts::operators;
pub mod state;

pub use config::Config;
