//! The Compose recipe for secrets, read from the README and run as written (with `sudo`
//! dropped: the suite runs as root), then auth-service started as the image's uid 10001
//! with those files: it must read them. Without the recipe's `chown` it must not, which is
//! what made the first start fail.

use resilience::process::{binary_dir, free_port};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use test_support::db::TestDatabase;

/// The lines of the README's Compose block that make `deploy/secrets/`.
fn secrets_recipe() -> Vec<String> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap_or_else(|e| panic!("README: {e}"));
    let block = text
        .split_once("cp deploy/compose.env.example .env")
        .and_then(|(_, rest)| rest.split_once("docker compose"))
        .map(|(block, _)| block.to_owned())
        .unwrap_or_else(|| panic!("the README's Compose recipe"));
    block
        .lines()
        .map(str::trim)
        .filter(|l| {
            ["mkdir", "openssl", "for ", "sudo "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(|l| l.replace("sudo ", ""))
        .collect()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A folder uid 10001 can enter, holding the recipe's secrets and a copy of the binary.
fn prepared(with_chown: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("compose-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    for line in secrets_recipe() {
        if !with_chown && line.starts_with("chown") {
            continue;
        }
        let status = Command::new("bash")
            .args(["-e", "-c", &line])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(status.success(), "the README's line failed: {line}");
    }
    std::fs::set_permissions(dir.join("deploy"), std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    let binary = dir.join("auth-service");
    std::fs::copy(binary_dir().join("auth-service"), &binary).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// auth-service in production mode as uid 10001; whether it became ready, and its log.
fn start_as_10001(dir: &Path, db: &TestDatabase) -> (bool, String) {
    let port = free_port();
    let secrets = dir.join("deploy/secrets");
    let log_path = dir.join("auth.log");
    let log = std::fs::File::create(&log_path).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new("setpriv")
        .args(["--reuid", "10001", "--regid", "10001", "--clear-groups"])
        .arg(dir.join("auth-service"))
        .env("APP_ENV", "production")
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &db.url)
        .env("JWT_PRIVATE_KEY_FILE", secrets.join("jwt-signing-key.pem"))
        .env("AUDIT_KEY_FILE", secrets.join("auth-audit-key"))
        .env("REVOCATIONS_TOKEN", "a-shared-secret-for-the-test")
        .stdout(Stdio::from(
            log.try_clone().unwrap_or_else(|e| panic!("{e}")),
        ))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap_or_else(|e| panic!("setpriv: {e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ready = false;
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        let answered = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
            use std::io::{Read, Write};
            s.write_all(b"GET /health/ready HTTP/1.0\r\n\r\n")?;
            let mut reply = String::new();
            s.read_to_string(&mut reply)?;
            Ok(reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"))
        });
        if answered.unwrap_or(false) {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    (ready, std::fs::read_to_string(log_path).unwrap_or_default())
}

#[test]
fn the_readme_secrets_recipe_gives_keys_the_containers_uid_can_read() {
    if !is_root() {
        eprintln!("skipped: running as uid 10001 needs root (CI runs as root)");
        return;
    }
    let recipe = secrets_recipe();
    assert!(
        recipe.iter().any(|l| l.starts_with("mkdir"))
            && recipe.iter().any(|l| l.starts_with("chown")),
        "the recipe makes the folder and hands the files to uid 10001: {recipe:?}"
    );

    let without_chown = prepared(false);
    let (ready, log) = start_as_10001(&without_chown, &TestDatabase::create_empty());
    assert!(
        !ready,
        "a key only its maker can read must not work:\n{log}"
    );
    assert!(log.contains("Permission denied"), "{log}");

    let as_written = prepared(true);
    let (ready, log) = start_as_10001(&as_written, &TestDatabase::create_empty());
    assert!(
        ready,
        "auth-service as uid 10001 with the README's files:\n{log}"
    );

    for dir in [without_chown, as_written] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
