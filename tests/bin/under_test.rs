//! The platform server in a process of its own, configured by `ACQUIS_*` variables, for the test
//! that kills it with SIGKILL between two answers.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = acquis_server::config::Config::load()?;
    let bind = config.bind.clone();
    let state = acquis_server::AppState::new(config).await?;
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    acquis_server::serve(listener, state).await
}
