//! The `exec` handler: runs a program with the `alert.Data` JSON on its standard input.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::options::Options;
use super::{Deliver, Failure};
use crate::AlertError;

/// Runs a command for each event.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecHandler {
    /// The program.
    pub prog: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl ExecHandler {
    /// Builds the handler from the topic-handler options `prog` and `args`.
    pub fn from_options(options: &Map<String, Value>) -> Result<Self, AlertError> {
        let o = Options::new("exec", options);
        let prog = o.string("prog")?;
        if prog.is_empty() {
            return Err(o.err("prog", "a program is required"));
        }
        Ok(ExecHandler {
            prog,
            args: o.strings("args")?,
        })
    }

    /// Runs the command; returns its combined stdout and stderr and how it ended.
    fn run(&self, input: Vec<u8>) -> std::io::Result<(String, std::process::ExitStatus)> {
        // One pipe for both streams keeps their output interleaved as written, as
        // Kapacitor's shared buffer does.
        let (mut reader, writer) = std::io::pipe()?;
        let mut cmd = Command::new(&self.prog);
        cmd.args(&self.args)
            .stdin(Stdio::piped())
            .stdout(writer.try_clone()?)
            .stderr(writer);
        let mut child = cmd.spawn()?;
        // The command holds the pipe's write ends; they must close for the read to end.
        drop(cmd);
        let stdin = child.stdin.take();
        let feeder = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // A program that exits without reading its input is not an error.
                let _ = stdin.write_all(&input);
            }
        });
        let mut out = Vec::new();
        let read = reader.read_to_end(&mut out);
        let _ = feeder.join();
        let status = child.wait()?;
        read?;
        Ok((String::from_utf8_lossy(&out).into_owned(), status))
    }
}

/// Go's `exec.ExitError` text.
fn exit_text(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("signal: {sig}"),
        (None, None) => status.to_string(),
    }
}

impl Deliver for ExecHandler {
    fn kind(&self) -> &'static str {
        "exec"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let mut input = crate::to_go_json(&event.data)
            .map_err(|e| Failure::Permanent(format!("failed to marshal alert data json: {e}")))?;
        input.push('\n');
        match self.run(input.into_bytes()) {
            Ok((_, status)) if status.success() => Ok(()),
            Ok((out, status)) => Err(Failure::Permanent(format!(
                "exec command failed: Output: {out}: {}",
                exit_text(status)
            ))),
            Err(e) => Err(Failure::Permanent(format!(
                "exec command failed: Output: : {e}"
            ))),
        }
    }
}
