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
pub mod erasure;
pub mod errors;
pub mod graphql;
pub mod http;
pub mod operators;
pub mod state;

pub use config::Config;
