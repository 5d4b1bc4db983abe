//! Outgoing e-mail: SMTP when configured, otherwise `.eml` files in the outbox (local use), with
//! the link logged so a local user can follow an invitation without a mail server.

use std::path::PathBuf;

use anyhow::Context as _;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// The action link, logged when writing to the outbox.
    pub link: &'a str,
}

impl Mailer {
    pub fn from_config(smtp_url: Option<&str>, outbox: PathBuf) -> anyhow::Result<Mailer> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("ACQUIS_SMTP_URL is not a valid SMTP URL")?
                    .build(),
            )),
            None => {
                std::fs::create_dir_all(&outbox)
                    .with_context(|| format!("cannot create the outbox {}", outbox.display()))?;
                Ok(Mailer::Outbox(AsyncFileTransport::new(&outbox), outbox))
            }
        }
    }

    pub async fn send(&self, from: &str, mail: Mail<'_>) -> anyhow::Result<()> {
        let from: Mailbox = from.parse().context("invalid sender address")?;
        let to: Mailbox = mail.to.parse().context("invalid recipient address")?;
        let builder = Message::builder().from(from).to(to).subject(mail.subject);
        let message = match mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text, html))?,
            None => builder.header(ContentType::TEXT_PLAIN).body(mail.text)?,
        };
        match self {
            Mailer::Smtp(t) => {
                t.send(message).await.context("SMTP delivery failed")?;
            }
            Mailer::Outbox(t, dir) => {
                let id = t
                    .send(message)
                    .await
                    .context("cannot write to the outbox")?;
                tracing::info!(
                    to = mail.to,
                    file = %dir.join(format!("{id}.eml")).display(),
                    link = mail.link,
                    "e-mail written to the outbox"
                );
            }
        }
        Ok(())
    }
}
