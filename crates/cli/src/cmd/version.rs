//! `kapacitor version`.

use crate::failure::Failure;

/// The version line: `Kapacitor OSS <version> (git: <branch> <commit>)`.
pub fn line() -> String {
    let branch = option_env!("KAPACITOR_GIT_BRANCH").unwrap_or("unknown");
    let commit = option_env!("KAPACITOR_GIT_COMMIT").unwrap_or("unknown");
    format!(
        "Kapacitor OSS {} (git: {branch} {commit})",
        env!("CARGO_PKG_VERSION")
    )
}

/// Runs `version`.
pub fn run() -> Result<(), Failure> {
    println!("{}", line());
    Ok(())
}
