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
    /// Run only the outbox worker (no HTTP), until SIGTERM or SIGINT.
    Worker,
    /// Inspect and retry queued email.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Administer accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check the email settings.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List jobs, newest first; `--state queued` lists waiting jobs by when they are due.
    List {
        /// Only jobs in this state: queued, running, sent, dead, skipped, cancelled.
        #[arg(long)]
        state: Option<domain::outbox::JobState>,
        /// Only jobs that ran out of attempts or failed permanently (same as `--state dead`).
        #[arg(long, conflicts_with = "state")]
        dead: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue a dead job again with a fresh set of attempts.
    Retry { id: domain::ids::JobId },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Send a test message now through the configured transport.
    Test {
        #[arg(long)]
        to: String,
        /// Attach a sample calendar invite (tomorrow, 15 minutes) to check how
        /// mail clients show it.
        #[arg(long)]
        invite: bool,
    },
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
    let _logs = between_api::telemetry::init(format);
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
        Command::Worker => {
            let config = Config::from_env()?;
            let pool = between_api::startup::connect(&config).await?;
            let mailer = std::sync::Arc::new(between_api::mail::Mailer::from_config(&config)?);
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let worker = between_api::jobs::Worker::new(pool, mailer, config.worker.clone());
            let running = tokio::spawn(worker.run(stopped));
            shutdown_signal().await;
            let _ = stop.send(true);
            running.await?;
            Ok(())
        }
        Command::Jobs { command } => {
            let config = Config::from_env()?;
            let pool = between_api::startup::connect(&config).await?;
            let mut out = std::io::stdout().lock();
            let mut conn = pool.get()?;
            match command {
                JobsCommand::List { state, dead, limit } => {
                    let state = state.or(dead.then_some(domain::outbox::JobState::Dead));
                    let jobs = domain::outbox::list(&mut conn, state, limit.clamp(1, 10_000))?;
                    writeln!(out, "id\tstate\tkind\tattempts\trun_at\tlast_error")?;
                    for job in jobs {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}/{}\t{}\t{}",
                            job.id,
                            job.state,
                            job.kind,
                            job.attempts,
                            job.max_attempts,
                            job.run_at,
                            job.last_error
                                .unwrap_or_default()
                                .replace(['\n', '\t'], " ")
                        )?;
                    }
                }
                JobsCommand::Retry { id } => {
                    let job = domain::outbox::retry(&mut conn, id).map_err(|e| match e {
                        domain::DomainError::NotFound => anyhow::anyhow!("no job with id {id}"),
                        other => other.into(),
                    })?;
                    writeln!(out, "{} queued again", job.id)?;
                }
            }
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            use domain::accounts::{self, DisplayName, EmailAddress, NewPassword};
            let config = Config::from_env()?;
            let pool = between_api::startup::connect(&config).await?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let email = EmailAddress::parse("--email", &email)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
            let name = DisplayName::parse("--name", &name)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
            let password =
                NewPassword::parse("password", password, &[email.as_str(), name.as_str()])
                    .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
            let hash = accounts::password::hash(password.expose())?;
            let mut conn = pool.get()?;
            let user = accounts::create_admin(&mut conn, &email, &name, &hash)?;
            writeln!(
                std::io::stdout(),
                "created admin {} ({})",
                user.email,
                user.id
            )?;
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Test { to, invite },
        } => {
            use domain::outbox::{CalendarEvent, CalendarMethod, EmailKind, Party, TestEmail};
            let config = Config::from_env()?;
            let mailer = between_api::mail::Mailer::from_config(&config)?;
            let id = domain::ids::JobId::new();
            let invite = invite.then(|| {
                let starts_at = domain::Timestamp::now() + chrono::Duration::days(1);
                CalendarEvent {
                    method: CalendarMethod::Request,
                    uid: format!("test-{id}@between"),
                    sequence: 0,
                    starts_at,
                    ends_at: starts_at + chrono::Duration::minutes(15),
                    summary: "Between test invite".into(),
                    description: "A sample invite sent by `between mail test --invite`.".into(),
                    url: Some(config.app_base_url.clone()),
                    organizer: Party {
                        name: mailer.from.name.clone().unwrap_or_default(),
                        email: mailer.from.email.to_string(),
                    },
                    attendee: Party {
                        name: String::new(),
                        email: to.clone(),
                    },
                }
            });
            let email = TestEmail { invite };
            let rendered = mailer
                .templates
                .render(EmailKind::Test, &serde_json::to_value(&email)?)?;
            let message = between_api::mail::compose(
                &mailer.from,
                id,
                &to,
                rendered,
                email.invite.as_ref(),
                None,
            )
            .map_err(anyhow::Error::msg)?;
            mailer.transport.send(&id.to_string(), message).await?;
            writeln!(
                std::io::stdout(),
                "sent a test message to {to} through {}",
                mailer.transport.describe()
            )?;
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

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
