//! Structured logs with tracing; `RUST_LOG` filters, `LOG_FORMAT` picks text
//! or JSON. Logs go to stderr so command output (`between openapi`) stays clean.
//!
//! Lines are formatted on the request's thread and written by a thread of
//! their own, so a request never waits for a write to stderr. Nothing is
//! dropped: when that thread falls behind, requests wait for it.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the subscriber; keep the guard until the process ends, so the
/// last lines are written.
pub fn init(format: LogFormat) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    // "Already set" in tests, which start several apps in one process.
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.ok().map(|()| guard)
}
