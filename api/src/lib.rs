//! Between's HTTP layer, email, worker and command line.

pub mod auth;
pub mod config;
pub mod contract;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
