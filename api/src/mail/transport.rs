//! Where composed messages go: an SMTP relay, `.eml` files (the embedded
//! default), or memory (unit tests).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use domain::reminders::unsubscribe::{self, Subscription};

use crate::config::Config;
use crate::mail::Templates;

/// How long one SMTP exchange may take. The worker's lease is far longer, so
/// a job is never taken over while its send is still in flight.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: connection refused, timeouts, 4xx replies.
    #[error("{0}")]
    Transient(String),
    /// Will fail again: 5xx replies, addresses the server refuses.
    #[error("{0}")]
    Permanent(String),
}

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One RFC 5322 `.eml` file per message, named by job id.
    Files(PathBuf),
    Memory(Arc<Mutex<Vec<Message>>>),
}

impl Transport {
    /// SMTP when `SMTP_URL` is set, else files under `DATA_DIR/outbox/`.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => Ok(Self::Smtp(smtp(url.expose(), config.worker.concurrency)?)),
            None => Ok(Self::Files(config.data_dir.join("outbox"))),
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "smtp",
            Self::Files(_) => "files",
            Self::Memory(_) => "memory",
        }
    }

    pub async fn send(&self, file_stem: &str, message: Message) -> Result<(), SendError> {
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(classify),
            Self::Files(dir) => write_eml(dir.clone(), file_stem, message.formatted())
                .await
                .map_err(|e| {
                    SendError::Transient(format!("cannot write to {}: {e}", dir.display()))
                }),
            Self::Memory(sent) => {
                sent.lock()
                    .map_err(|_| SendError::Transient("memory transport poisoned".into()))?
                    .push(message);
                Ok(())
            }
        }
    }
}

/// `smtp://` uses STARTTLS when the server offers it (add `?tls=required` to
/// insist), `smtps://` implicit TLS; credentials come from the URL.
fn smtp(url: &str, pool_size: usize) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let url = if url.starts_with("smtp://") && !url.contains("tls=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}tls=opportunistic")
    } else {
        url.to_owned()
    };
    let pool_size = u32::try_from(pool_size.max(1)).unwrap_or(u32::MAX);
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
        .timeout(Some(SMTP_TIMEOUT))
        .pool_config(PoolConfig::new().max_size(pool_size))
        .build())
}

fn classify(err: lettre::transport::smtp::Error) -> SendError {
    let message = err.to_string();
    if err.is_permanent() {
        SendError::Permanent(message)
    } else {
        SendError::Transient(message)
    }
}

/// Writes atomically (temp file, then rename), so a reader never sees half
/// a message; the folder and files are the owner's only (mail holds links).
async fn write_eml(dir: PathBuf, stem: &str, bytes: Vec<u8>) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let path = dir.join(format!("{stem}.eml"));
    let tmp = dir.join(format!(".{stem}.eml.tmp"));
    let folder = dir.clone();
    tokio::task::spawn_blocking(move || domain::db::private_dir(&folder)).await??;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(&tmp).await?;
    file.write_all(&bytes).await?;
    file.sync_data().await?;
    drop(file);
    tokio::fs::rename(&tmp, &path).await
}

/// Templates, sender and transport: everything needed to turn a job into a
/// delivered message.
pub struct Mailer {
    pub templates: Templates,
    pub from: Mailbox,
    pub transport: Transport,
    /// The service's own URL: one-click unsubscribe links point here
    /// whatever `APP_BASE_URL` says (mail clients POST to them directly).
    pub public_base_url: String,
    /// Signs unsubscribe tokens.
    unsubscribe_key: Vec<u8>,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Self::new(config, Transport::from_config(config)?)
    }

    pub fn new(config: &Config, transport: Transport) -> anyhow::Result<Self> {
        Ok(Self {
            templates: Templates::new(&config.app_base_url)?.with_practice(&config.practice_name),
            from: config
                .mail_from
                .parse()
                .map_err(|e| anyhow::anyhow!("MAIL_FROM: {e}"))?,
            transport,
            public_base_url: config.public_base_url.clone(),
            unsubscribe_key: config.jwt_secret.expose().as_bytes().to_vec(),
        })
    }

    /// The one-click unsubscribe URL for `subscription`.
    pub fn unsubscribe_url(&self, subscription: &Subscription) -> String {
        format!(
            "{}/unsubscribe/{}",
            self.public_base_url,
            unsubscribe::sign(&self.unsubscribe_key, subscription)
        )
    }
}
