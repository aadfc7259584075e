//! How a command ends badly, and the exit code Kapacitor uses for each case.

use crate::client::ApiError;

/// Wrong usage of `kapacitor` itself (no command, unknown command).
pub const EXIT_USAGE: i32 = 1;
/// Wrong usage of a command (missing argument, bad flag).
pub const EXIT_COMMAND_USAGE: i32 = 2;
/// The command ran and failed.
pub const EXIT_COMMAND: i32 = 3;
/// The server could not be reached (or its URL is invalid).
pub const EXIT_CONNECT: i32 = 4;

/// A failed run: what to print on stderr and the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Usage text (with any leading message) and its exit code.
    Usage {
        /// Exit code (1, 2, or 0 when help was asked for with `-h`).
        code: i32,
        /// Text printed as is.
        text: String,
    },
    /// An error from the command; exit code 3, or 4 when the server was unreachable.
    Command(anyhow::Error),
}

impl Failure {
    /// A usage failure.
    pub fn usage(code: i32, text: impl Into<String>) -> Self {
        Failure::Usage {
            code,
            text: text.into(),
        }
    }

    /// The message for stderr (without a final newline for command errors) and the exit code.
    pub fn report(&self) -> (String, i32) {
        match self {
            Failure::Usage { code, text } => (text.clone(), *code),
            Failure::Command(err) => {
                let connect = err.chain().any(|e| {
                    e.downcast_ref::<ApiError>()
                        .is_some_and(ApiError::is_connect)
                });
                let code = if connect { EXIT_CONNECT } else { EXIT_COMMAND };
                (format!("{err:#}\n"), code)
            }
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Command(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Command(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn command_errors_exit_3_with_context() {
        let r: Result<(), ApiError> = Err(ApiError::Server("no task exists".to_string()));
        let f: Failure = r.context("enabling task x").unwrap_err().into();
        assert_eq!(
            f.report(),
            ("enabling task x: no task exists\n".to_string(), 3)
        );
    }

    #[test]
    fn connect_errors_exit_4_even_wrapped() {
        let r: Result<(), ApiError> = Err(ApiError::Connect {
            url: "http://h:1".to_string(),
            detail: "refused".to_string(),
        });
        let f: Failure = r.context("listing tasks").unwrap_err().into();
        assert_eq!(f.report().1, 4);
    }
}
