//! `kapacitor help [command]`: prints a command's usage on stderr.

use super::{define, println_text, show};
use crate::failure::{EXIT_USAGE, Failure};
use crate::usage;

/// The usage text `help <command>` prints, or None for an unknown command.
pub fn text_for(command: &str) -> Option<String> {
    match command {
        "define" => Some(usage::define(&define::flags())),
        "show" => Some(usage::show(&show::flags())),
        other => usage::command(other).map(str::to_string),
    }
}

/// Runs `help`.
pub fn run(args: &[String]) -> Result<(), Failure> {
    let main = println_text(&usage::main_usage());
    let [command] = args else {
        let help = usage::command("help").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_USAGE,
            format!("{}{main}", println_text(help)),
        ));
    };
    match text_for(command) {
        Some(text) => {
            eprint!("{}", println_text(&text));
            Ok(())
        }
        None => Err(Failure::usage(
            EXIT_USAGE,
            format!("Unknown command {command}\n{main}"),
        )),
    }
}
