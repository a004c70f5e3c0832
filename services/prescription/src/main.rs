//! prescription-service: prescriptions and their kept history. Configuration: see `config.rs`.

use prescription_service::{Application, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    common::telemetry::init_tracing(settings.log_format);
    let application = Application::build(settings).await?;
    tracing::info!(port = application.port(), "prescription-service listening");
    application.run_until_stopped().await?;
    Ok(())
}
