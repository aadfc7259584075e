//! Global flags, connection settings and dispatch to the commands.

mod define;
mod define_topic_handler;
mod help;
mod list;
mod push;
mod record;
mod replay;
mod resources;
mod service_tests;
mod show;
mod show_topic;
mod show_topic_handler;
mod tasks;
mod templates;
mod topics;
mod version;
mod wait;

use jiff::tz::TimeZone;

use crate::client::Client;
use crate::failure::{EXIT_COMMAND_USAGE, EXIT_USAGE, Failure};
use crate::flags::{FlagError, FlagSet, Parsed, parse_go_bool};
use crate::usage;

/// Address used when neither `-url` nor `KAPACITOR_URL` is set.
pub const DEFAULT_URL: &str = "http://localhost:9092";

/// Kapacitor commands that this build does not implement yet.
const NOT_YET: &[&str] = &["watch", "logs", "backup", "level", "stats", "vars", "flux"];

/// What every command gets: the API client and the zone times are shown in.
pub struct Ctx {
    /// Client of the configured server.
    pub client: Client,
    /// Local time zone (from `TZ` or the system).
    pub tz: TimeZone,
}

/// The process environment the CLI reads.
pub struct Env {
    /// `KAPACITOR_URL`.
    pub url: Option<String>,
    /// `KAPACITOR_UNSAFE_SSL`.
    pub unsafe_ssl: Option<String>,
}

impl Env {
    /// Reads the real environment.
    pub fn from_process() -> Self {
        Self {
            url: std::env::var("KAPACITOR_URL").ok(),
            unsafe_ssl: std::env::var("KAPACITOR_UNSAFE_SSL").ok(),
        }
    }
}

/// Text printed with Go's `Fprintln`: the text and a newline.
pub fn println_text(s: &str) -> String {
    format!("{s}\n")
}

/// Parses a command's flags; a flag error prints the message and the command's usage
/// (exit 2), `-h` prints the usage alone (exit 0), as Go's `ExitOnError` flag sets do.
pub fn parse_flags(set: &FlagSet, args: &[String], usage: &str) -> Result<Parsed, Failure> {
    match set.parse(args) {
        Ok(p) => Ok(p),
        Err(FlagError::Help) => Err(Failure::usage(0, println_text(usage))),
        Err(e) => Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("{e}\n{}", println_text(usage)),
        )),
    }
}

/// Runs `kapacitor` with the arguments after the program name.
pub fn run(args: &[String], env: &Env) -> Result<(), Failure> {
    let main = parse_flags(&usage::main_flags(), args, &usage::main_usage())?;

    // The TLS setting is checked like Kapacitor does, though plain http ignores it.
    if let Some(v) = env.unsafe_ssl.as_deref().filter(|v| !v.is_empty())
        && parse_go_bool(v).is_none()
    {
        return Err(Failure::usage(
            EXIT_USAGE,
            format!(
                "strconv.ParseBool: parsing {}: invalid syntax\n",
                crate::gofmt::quote(v)
            ),
        ));
    }

    let url = match (
        main.get("url").filter(|u| !u.is_empty()),
        env.url.as_deref(),
    ) {
        (Some(u), _) => u.to_string(),
        (None, Some(u)) if !u.is_empty() => u.to_string(),
        _ => DEFAULT_URL.to_string(),
    };
    let client = Client::new(&url)?;
    let ctx = Ctx {
        client,
        tz: TimeZone::system(),
    };

    let Some((command, rest)) = main.args.split_first() else {
        return Err(Failure::usage(
            EXIT_USAGE,
            format!(
                "Error: Must pass a command.\n{}",
                println_text(&usage::main_usage())
            ),
        ));
    };
    match command.as_str() {
        "help" => help::run(rest),
        "define" => define::run(&ctx, rest),
        "enable" => tasks::enable(&ctx, rest),
        "disable" => tasks::disable(&ctx, rest),
        "reload" => tasks::reload(&ctx, rest),
        "delete" => tasks::delete(&ctx, rest),
        "list" => list::run(&ctx, rest),
        "show" => show::run(&ctx, rest),
        "define-topic-handler" => define_topic_handler::run(&ctx, rest),
        "show-topic" => show_topic::run(&ctx, rest),
        "show-topic-handler" => show_topic_handler::run(&ctx, rest),
        "version" => version::run(),
        "record" => record::run(&ctx, rest),
        "replay" => replay::run(&ctx, rest),
        "replay-live" => replay::live(&ctx, rest),
        "define-template" => templates::define(&ctx, rest),
        "show-template" => templates::show(&ctx, rest),
        "push" => push::run(&ctx, rest),
        "service-tests" => service_tests::run(&ctx, rest),
        c if NOT_YET.contains(&c) => Err(not_supported(c)),
        c => Err(Failure::usage(
            EXIT_USAGE,
            format!(
                "Unknown command {c}\n{}",
                println_text(&usage::main_usage())
            ),
        )),
    }
}

/// The error for a Kapacitor command this build does not implement yet.
pub fn not_supported(what: &str) -> Failure {
    Failure::Command(anyhow::anyhow!("{what} is not supported yet by this build"))
}
