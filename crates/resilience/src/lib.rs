//! Harness for the black-box suite in `tests/`: the real service binaries as child
//! processes on fresh databases, which tests then race, kill, pause, cut off from
//! PostgreSQL and feed bad input, observing only what a client or an operator could.

pub mod api;
pub mod process;
pub mod system;

pub use process::{Service, ServiceProcess};
pub use system::System;

pub fn workspace_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace's target folder (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => workspace_dir().join("target"),
    }
}
