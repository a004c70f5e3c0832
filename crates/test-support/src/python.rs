//! Client libraries in Python driving a service under test, as an integrator would use them.

/// Runs `script` with the test tools' interpreter and `args`, off the runtime (the service
/// under test answers on it meanwhile), and fails the test with its output unless it
/// succeeds; returns what it printed.
pub async fn run_script(script: &'static str, args: Vec<String>) -> String {
    run_script_with(script, args, &[]).await
}

/// `run_script` with `env` set for the script (`PYTHONPATH` to a generated client, say).
pub async fn run_script_with(
    script: &'static str,
    args: Vec<String>,
    env: &[(&str, &str)],
) -> String {
    let python = crate::openapi::python_tool("python");
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg("-c")
            .arg(script)
            .args(args)
            .envs(env)
            .output()
    })
    .await
    .expect("the script's thread")
    .expect("starting python");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
