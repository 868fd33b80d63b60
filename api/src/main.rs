//! `between`: the service and its operator commands.

use std::io::Write;
use std::process::ExitCode;

use between_api::config::{Config, ProcessEnv};
use between_api::startup::Application;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "between",
    version,
    about = "Between: support between therapy sessions"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A .env file is optional; real environment variables win.
    let _ = dotenvy::dotenv();
    let format = match Config::log_format(&ProcessEnv) {
        Ok(format) => format,
        Err(e) => {
            eprintln!("between: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    between_api::telemetry::init(format);
    match run(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "between stopped with an error");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Openapi => {
            let json = between_api::openapi::document_json()?;
            std::io::stdout().write_all(json.as_bytes())?;
            Ok(())
        }
        Command::Migrate => {
            let config = Config::from_env()?;
            between_api::startup::connect(&config).await?;
            Ok(())
        }
        Command::Serve => {
            let config = Config::from_env()?;
            let app = Application::build(config).await?;
            tracing::info!(port = app.port(), "between is serving");
            app.run_until_stopped().await?;
            tracing::info!("between stopped");
            Ok(())
        }
    }
}
