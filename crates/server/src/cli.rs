//! kapacitord's command line: a command name then Go-style flags (`-config x`,
//! `-config=x`, `--config x`), as Go's `flag` package parses them.

use crate::ServerError;

/// Options of `kapacitord run`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// `-config`.
    pub config: Option<String>,
    /// `-pidfile`.
    pub pidfile: Option<String>,
    /// `-hostname`.
    pub hostname: Option<String>,
    /// `-log-file`.
    pub log_file: Option<String>,
    /// `-log-level`.
    pub log_level: Option<String>,
    /// `-disable-handlers`: alert handler kinds that are switched off.
    pub disable_handlers: Vec<String>,
    /// Flags accepted for compatibility but not supported (name, value).
    pub unsupported: Vec<(String, String)>,
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run the daemon.
    Run(RunOptions),
    /// Print the configuration: defaults merged with `-config`.
    Config {
        /// `-config`.
        config: Option<String>,
        /// `-hostname`.
        hostname: Option<String>,
    },
    /// Print the version.
    Version,
    /// Print usage, for the given command if any.
    Help(Option<String>),
}

/// Usage of the whole program.
pub const USAGE: &str = "\
Configure and start a Kapacitor server.

Usage:

        kapacitord [[command] [arguments]]

The commands are:

    config               display the default configuration
    help                 display this help message
    run                  run node with existing configuration
    version              displays the Kapacitor version

\"run\" is the default command.

Use \"kapacitord help [command]\" for more information about a command.
";

/// Usage of `run`.
pub const RUN_USAGE: &str = "\
Runs the Kapacitor server.

Usage: kapacitord run [flags]

    -config <path>
            Set the path to the configuration file.
            Defaults to KAPACITOR_CONFIG_PATH, ~/.kapacitor/kapacitor.conf,
            or /etc/kapacitor/kapacitor.conf, else built-in settings.

    -hostname <name>
            Override the hostname, the 'hostname' configuration
            option will be overridden.

    -pidfile <path>
            Write process ID to a file.

    -log-file <path>
            Write logs to a file.

    -log-level <level>
            Sets the log level. One of debug,info,error.

    -disable-handlers <kind,...>
            Comma separated list of alert handler kinds to disable.

    -blacklist-cidrs <cidr,...>, -cpuprofile <path>, -memprofile <path>
            Accepted for compatibility; not supported.
";

/// Usage of `config`.
pub const CONFIG_USAGE: &str = "\
Displays the default configuration, merged with a configuration file if given.

Usage: kapacitord config [flags]

    -config <path>
            Merge this configuration file over the defaults.
    -hostname <name>
            Override the hostname.
";

const RUN_FLAGS: &[&str] = &[
    "config",
    "pidfile",
    "hostname",
    "log-file",
    "log-level",
    "cpuprofile",
    "memprofile",
    "blacklist-cidrs",
    "disable-handlers",
];
const CONFIG_FLAGS: &[&str] = &["config", "hostname"];

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, ServerError> {
    let (name, rest) = match args.first() {
        Some(first) if !first.starts_with('-') => (first.as_str(), &args[1..]),
        _ => ("run", args),
    };
    match name {
        "run" => {
            let flags = parse_flags(rest, RUN_FLAGS)?;
            let mut opts = RunOptions::default();
            for (flag, value) in flags {
                match flag.as_str() {
                    "config" => opts.config = Some(value),
                    "pidfile" => opts.pidfile = Some(value),
                    "hostname" => opts.hostname = Some(value),
                    "log-file" => opts.log_file = Some(value),
                    "log-level" => opts.log_level = Some(value),
                    "disable-handlers" => opts.disable_handlers.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|k| !k.is_empty())
                            .map(str::to_string),
                    ),
                    _ => opts.unsupported.push((flag, value)),
                }
            }
            Ok(Command::Run(opts))
        }
        "config" => {
            let mut config = None;
            let mut hostname = None;
            for (flag, value) in parse_flags(rest, CONFIG_FLAGS)? {
                match flag.as_str() {
                    "config" => config = Some(value),
                    _ => hostname = Some(value),
                }
            }
            Ok(Command::Config { config, hostname })
        }
        "version" => Ok(Command::Version),
        "help" => Ok(Command::Help(rest.first().cloned())),
        other => Err(ServerError::Usage(format!(
            "unknown command \"{other}\"\nRun 'kapacitord help' for usage\n"
        ))),
    }
}

/// Go `flag` parsing: stops at the first non-flag argument or after `--`.
fn parse_flags(args: &[String], known: &[&str]) -> Result<Vec<(String, String)>, ServerError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" || !arg.starts_with('-') || arg == "-" {
            break;
        }
        let body = arg.strip_prefix("--").unwrap_or_else(|| &arg[1..]);
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        if name == "h" || name == "help" {
            return Err(ServerError::Help);
        }
        if !known.contains(&name) {
            return Err(ServerError::Usage(format!(
                "flag provided but not defined: -{name}"
            )));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| ServerError::Usage(format!("flag needs an argument: -{name}")))?
            }
        };
        out.push((name.to_string(), value));
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn run_is_the_default() {
        assert_eq!(parse(&[]).unwrap(), Command::Run(RunOptions::default()));
        let Command::Run(o) =
            parse(&args("-config k.conf -pidfile=/tmp/p --log-level debug")).unwrap()
        else {
            panic!("not run")
        };
        assert_eq!(o.config.as_deref(), Some("k.conf"));
        assert_eq!(o.pidfile.as_deref(), Some("/tmp/p"));
        assert_eq!(o.log_level.as_deref(), Some("debug"));
    }

    #[test]
    fn run_flags_and_unsupported_ones() {
        let Command::Run(o) = parse(&args(
            "run -hostname h -log-file f -cpuprofile c -blacklist-cidrs private -disable-handlers exec,tcp",
        ))
        .unwrap() else {
            panic!("not run")
        };
        assert_eq!(
            o.disable_handlers,
            vec!["exec".to_string(), "tcp".to_string()]
        );
        assert_eq!(o.hostname.as_deref(), Some("h"));
        assert_eq!(o.log_file.as_deref(), Some("f"));
        assert_eq!(
            o.unsupported,
            vec![
                ("cpuprofile".to_string(), "c".to_string()),
                ("blacklist-cidrs".into(), "private".into())
            ]
        );
    }

    #[test]
    fn other_commands() {
        assert_eq!(
            parse(&args("config -config x.conf")).unwrap(),
            Command::Config {
                config: Some("x.conf".into()),
                hostname: None
            }
        );
        assert_eq!(parse(&args("version")).unwrap(), Command::Version);
        assert_eq!(
            parse(&args("help run")).unwrap(),
            Command::Help(Some("run".into()))
        );
    }

    #[test]
    fn errors_read_like_go() {
        assert_eq!(
            parse(&args("run -nope 1")).unwrap_err().to_string(),
            "flag provided but not defined: -nope"
        );
        assert_eq!(
            parse(&args("-config")).unwrap_err().to_string(),
            "flag needs an argument: -config"
        );
        assert_eq!(
            parse(&args("bogus")).unwrap_err().to_string(),
            "unknown command \"bogus\"\nRun 'kapacitord help' for usage\n"
        );
        assert!(matches!(parse(&args("run -h")), Err(ServerError::Help)));
    }
}
