//! One test binary: every module starts the real service on port 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod booking;
mod care;
mod contract;
mod dashboard;
mod database;
mod email;
mod errors;
mod exercises;
mod habits;
mod hardening;
mod health;
mod jobs;
mod journal;
mod openapi;
mod pages;
mod reminders;
