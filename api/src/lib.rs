//! Terbuka's API: configuration, HTTP (axum), the GraphQL schema and start-up. In the
//! all-in-one mode it runs the worker in the same process.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod graphql;
pub mod http;

pub use config::Config;
