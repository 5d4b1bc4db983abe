//! `acquis`: serve the platform (default), migrate the database, manage operators.

use std::io::{IsTerminal, Read};

use acquis_server::config::Config;
use acquis_server::{AppState, cli, demo, jobs, serve};
use acquis_store::Store;
use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "acquis",
    version,
    about = "Acquis: digital-skills assessment campaigns for schools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Do not seed the demo establishment into an empty database (also ACQUIS_DEMO=false).
    #[arg(long, global = true)]
    no_demo: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the platform (the default).
    Serve,
    /// Apply database migrations and exit (PostgreSQL: run with the schema owner's URL).
    Migrate,
    /// Manage platform operators.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Create an operator account. The password is read from stdin when it is piped, otherwise
    /// generated and printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Opérateur")]
        first_name: String,
        #[arg(long, default_value = "Acquis")]
        last_name: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let mut config = Config::load().context("configuration")?;
    if cli.no_demo {
        config.demo = false;
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run(config).await,
        Command::Migrate => {
            match &config.migrate_database_url {
                Some(url) => Store::migrate_postgres(url).await?,
                None => {
                    AppState::new(config).await?;
                }
            }
            println!("Base de données à jour.");
            Ok(())
        }
        Command::Operator {
            command:
                OperatorCommand::Create {
                    email,
                    first_name,
                    last_name,
                },
        } => create_operator(config, &email, &first_name, &last_name).await,
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let demo_enabled = config.demo;
    let bind = config.bind.clone();
    let base_url = config.base_url.clone();
    let state = AppState::new(config).await?;
    if demo_enabled && let Some(logins) = demo::seed_if_empty(&state).await? {
        println!(
            "\nDémo installée : établissement « Lycée Pix » (UAI {}).",
            demo::DEMO_UAI
        );
        println!("Identifiants de démonstration (affichés une seule fois) :");
        // Columns as wide as their longest entry, so that each password stays in line.
        let role_width = logins.iter().map(|l| l.role.chars().count()).max();
        let email_width = logins.iter().map(|l| l.email.chars().count()).max();
        for l in &logins {
            println!(
                "  {:<rw$} {:<ew$} mot de passe : {}",
                l.role,
                l.email,
                l.password,
                rw = role_width.unwrap_or(0),
                ew = email_width.unwrap_or(0),
            );
        }
        let (first, last, born) = demo::demo_student();
        println!("Élève importé pour essayer une campagne : {first} {last}, né(e) le {born}.");
        println!();
    }
    jobs::spawn(state.clone());
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!("Acquis est servi sur {base_url} (écoute sur {bind})");
    serve(listener, state).await
}

async fn create_operator(
    config: Config,
    email: &str,
    first_name: &str,
    last_name: &str,
) -> anyhow::Result<()> {
    let password = if std::io::stdin().is_terminal() {
        None
    } else {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Some(s.trim_end_matches(['\r', '\n']).to_owned())
    };
    let state = AppState::new(config).await?;
    let (user, generated) =
        cli::create_operator(&state, email, first_name, last_name, password).await?;
    println!(
        "Opérateur créé : {} ({})",
        user.email.unwrap_or_default(),
        user.id
    );
    if let Some(password) = generated {
        println!("Mot de passe (affiché une seule fois) : {password}");
    }
    Ok(())
}
