//! Command-line flags parsed the way Go's `flag` package parses them, because users type
//! Kapacitor's commands verbatim: single-dash long names (`-tick f`, `-tick=f`, `--tick f`),
//! bool flags that never take a separate value (`-no-reload`, `-no-reload=false`), repeatable
//! flags, and parsing that stops at the first argument that is not a flag (or after `--`).

use std::collections::HashMap;
use std::fmt::Write as _;

/// What kind of value a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string value; the last occurrence wins.
    Str,
    /// A boolean switch: `-f`, `-f=true`, `-f=0`...
    Bool,
    /// A string value that may be given many times; every occurrence is kept.
    Repeated,
}

/// Checks a flag value as it is parsed; the error text follows Go's `invalid value` message.
pub type Validator = fn(&str) -> Result<(), String>;

/// The definition of one flag.
#[derive(Debug, Clone)]
pub struct Flag {
    /// Name without dashes.
    pub name: &'static str,
    /// Value kind.
    pub kind: Kind,
    /// One-line help text.
    pub usage: &'static str,
    /// Optional check run on each value.
    pub validate: Option<Validator>,
}

impl Flag {
    /// A string flag.
    pub const fn string(name: &'static str, usage: &'static str) -> Self {
        Self {
            name,
            kind: Kind::Str,
            usage,
            validate: None,
        }
    }

    /// A bool flag.
    pub const fn boolean(name: &'static str, usage: &'static str) -> Self {
        Self {
            name,
            kind: Kind::Bool,
            usage,
            validate: None,
        }
    }

    /// A repeatable flag whose values are checked by `validate`.
    pub const fn repeated(name: &'static str, usage: &'static str, validate: Validator) -> Self {
        Self {
            name,
            kind: Kind::Repeated,
            usage,
            validate: Some(validate),
        }
    }
}

/// Why parsing failed. `Display` gives Go's exact message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// `-h`, `-help` or `--help` was given and is not a defined flag.
    #[error("flag: help requested")]
    Help,
    /// A flag that is not defined.
    #[error("flag provided but not defined: -{0}")]
    NotDefined(String),
    /// A value flag at the end of the arguments.
    #[error("flag needs an argument: -{0}")]
    NeedsArgument(String),
    /// `-name=value` on a bool flag with a value that is not a boolean.
    #[error("invalid boolean value {value:?} for -{name}: parse error")]
    InvalidBool {
        /// Flag name.
        name: String,
        /// Rejected value.
        value: String,
    },
    /// A value rejected by the flag's validator.
    #[error("invalid value {value:?} for flag -{name}: {reason}")]
    InvalidValue {
        /// Flag name.
        name: String,
        /// Rejected value.
        value: String,
        /// Validator message.
        reason: String,
    },
    /// `---x`, `-=x` and the like.
    #[error("bad flag syntax: {0}")]
    BadSyntax(String),
}

/// A set of flag definitions, parsed against an argument list.
#[derive(Debug, Clone)]
pub struct FlagSet {
    flags: Vec<Flag>,
}

/// The outcome of a successful parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    values: HashMap<&'static str, Vec<String>>,
    /// The arguments left after the flags.
    pub args: Vec<String>,
}

impl Parsed {
    /// The last value given for a string flag.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// The value of a string flag, or "" when it was not given (Go's zero value).
    pub fn str(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    /// Every value given for a repeatable flag, in order.
    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The value of a bool flag (false when absent).
    pub fn flag(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }
}

/// Parses a boolean the way Go's `strconv.ParseBool` does.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

impl FlagSet {
    /// A flag set with the given definitions.
    pub fn new(flags: Vec<Flag>) -> Self {
        Self { flags }
    }

    fn lookup(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Parses flags from the front of `args`, stopping at the first non-flag argument.
    pub fn parse(&self, args: &[String]) -> Result<Parsed, FlagError> {
        let mut parsed = Parsed::default();
        let mut i = 0;
        while i < args.len() {
            let s = args[i].as_str();
            if s.len() < 2 || !s.starts_with('-') {
                break;
            }
            let mut dashes = 1;
            if s.as_bytes()[1] == b'-' {
                dashes = 2;
                if s.len() == 2 {
                    i += 1;
                    break;
                }
            }
            let body = &s[dashes..];
            if body.starts_with('-') || body.starts_with('=') {
                return Err(FlagError::BadSyntax(s.to_string()));
            }
            i += 1;
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(flag) = self.lookup(name) else {
                if name == "help" || name == "h" {
                    return Err(FlagError::Help);
                }
                return Err(FlagError::NotDefined(name.to_string()));
            };
            let value = match (flag.kind, inline) {
                (Kind::Bool, Some(v)) => match parse_go_bool(v) {
                    Some(b) => b.to_string(),
                    None => {
                        return Err(FlagError::InvalidBool {
                            name: name.to_string(),
                            value: v.to_string(),
                        });
                    }
                },
                (Kind::Bool, None) => "true".to_string(),
                (_, Some(v)) => v.to_string(),
                (_, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => return Err(FlagError::NeedsArgument(name.to_string())),
                },
            };
            if let Some(check) = flag.validate
                && let Err(reason) = check(&value)
            {
                return Err(FlagError::InvalidValue {
                    name: name.to_string(),
                    value,
                    reason,
                });
            }
            parsed.values.entry(flag.name).or_default().push(value);
        }
        parsed.args = args[i..].to_vec();
        Ok(parsed)
    }

    /// The flag list as Go's `PrintDefaults` lays it out (sorted by name).
    pub fn defaults(&self) -> String {
        let mut flags: Vec<&Flag> = self.flags.iter().collect();
        flags.sort_by_key(|f| f.name);
        let mut out = String::new();
        for f in flags {
            let _ = write!(out, "  -{}", f.name);
            match f.kind {
                Kind::Bool => {}
                Kind::Str => out.push_str(" string"),
                Kind::Repeated => out.push_str(" value"),
            }
            let _ = writeln!(out, "\n    \t{}", f.usage.replace('\n', "\n    \t"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> FlagSet {
        fn no_x(v: &str) -> Result<(), String> {
            if v.contains('x') {
                Err("no x allowed".to_string())
            } else {
                Ok(())
            }
        }
        FlagSet::new(vec![
            Flag::string("tick", "Path to the TICKscript"),
            Flag::boolean("no-reload", "Do not reload"),
            Flag::repeated("dbrp", "A dbrp", no_x),
        ])
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_dash_value_in_next_argument() {
        let p = set().parse(&args(&["-tick", "a.tick", "rest"])).unwrap();
        assert_eq!(p.get("tick"), Some("a.tick"));
        assert_eq!(p.args, args(&["rest"]));
    }

    #[test]
    fn equals_and_double_dash_forms() {
        let p = set().parse(&args(&["-tick=a.tick"])).unwrap();
        assert_eq!(p.str("tick"), "a.tick");
        let p = set().parse(&args(&["--tick", "b.tick"])).unwrap();
        assert_eq!(p.str("tick"), "b.tick");
        let p = set().parse(&args(&["--tick=c=d"])).unwrap();
        assert_eq!(p.str("tick"), "c=d");
        let p = set().parse(&args(&["-tick="])).unwrap();
        assert_eq!(p.get("tick"), Some(""));
    }

    #[test]
    fn value_may_start_with_dash() {
        let p = set().parse(&args(&["-tick", "-no-reload"])).unwrap();
        assert_eq!(p.str("tick"), "-no-reload");
        assert!(!p.flag("no-reload"));
    }

    #[test]
    fn last_string_value_wins() {
        let p = set().parse(&args(&["-tick", "a", "-tick", "b"])).unwrap();
        assert_eq!(p.str("tick"), "b");
    }

    #[test]
    fn bool_forms() {
        assert!(
            set()
                .parse(&args(&["-no-reload"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            set()
                .parse(&args(&["--no-reload"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            set()
                .parse(&args(&["-no-reload=true"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            set()
                .parse(&args(&["-no-reload=T"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            set()
                .parse(&args(&["-no-reload=1"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            !set()
                .parse(&args(&["-no-reload=false"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(
            !set()
                .parse(&args(&["-no-reload=0"]))
                .unwrap()
                .flag("no-reload")
        );
        assert!(!set().parse(&args(&[])).unwrap().flag("no-reload"));
    }

    #[test]
    fn bool_never_takes_next_argument() {
        let p = set().parse(&args(&["-no-reload", "false"])).unwrap();
        assert!(p.flag("no-reload"));
        assert_eq!(p.args, args(&["false"]));
    }

    #[test]
    fn repeated_values_are_all_kept() {
        let p = set()
            .parse(&args(&["-dbrp", "a.b", "-dbrp=c.d", "--dbrp", "e.f"]))
            .unwrap();
        assert_eq!(p.all("dbrp"), &args(&["a.b", "c.d", "e.f"])[..]);
        assert!(p.all("tick").is_empty());
    }

    #[test]
    fn stops_at_first_non_flag() {
        let p = set().parse(&args(&["id", "-tick", "a"])).unwrap();
        assert_eq!(p.get("tick"), None);
        assert_eq!(p.args, args(&["id", "-tick", "a"]));
        let p = set().parse(&args(&["-", "-tick", "a"])).unwrap();
        assert_eq!(p.args, args(&["-", "-tick", "a"]));
    }

    #[test]
    fn double_dash_terminates() {
        let p = set()
            .parse(&args(&["-no-reload", "--", "-tick", "a"]))
            .unwrap();
        assert!(p.flag("no-reload"));
        assert_eq!(p.args, args(&["-tick", "a"]));
    }

    #[test]
    fn errors_have_go_messages() {
        let e = set().parse(&args(&["-nope"])).unwrap_err();
        assert_eq!(e.to_string(), "flag provided but not defined: -nope");
        let e = set().parse(&args(&["--nope=3"])).unwrap_err();
        assert_eq!(e.to_string(), "flag provided but not defined: -nope");
        let e = set().parse(&args(&["-tick"])).unwrap_err();
        assert_eq!(e.to_string(), "flag needs an argument: -tick");
        let e = set().parse(&args(&["-no-reload=maybe"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid boolean value \"maybe\" for -no-reload: parse error"
        );
        let e = set().parse(&args(&["-dbrp", "x.y"])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value \"x.y\" for flag -dbrp: no x allowed"
        );
        let e = set().parse(&args(&["---tick"])).unwrap_err();
        assert_eq!(e.to_string(), "bad flag syntax: ---tick");
        let e = set().parse(&args(&["-=a"])).unwrap_err();
        assert_eq!(e.to_string(), "bad flag syntax: -=a");
    }

    #[test]
    fn help_is_reported_when_not_defined() {
        assert_eq!(set().parse(&args(&["-h"])).unwrap_err(), FlagError::Help);
        assert_eq!(
            set().parse(&args(&["--help"])).unwrap_err(),
            FlagError::Help
        );
    }

    #[test]
    fn defaults_layout_matches_go() {
        assert_eq!(
            set().defaults(),
            "  -dbrp value\n    \tA dbrp\n  -no-reload\n    \tDo not reload\n  -tick string\n    \tPath to the TICKscript\n"
        );
    }

    #[test]
    fn go_bool_parsing() {
        assert_eq!(parse_go_bool("True"), Some(true));
        assert_eq!(parse_go_bool("FALSE"), Some(false));
        assert_eq!(parse_go_bool("yes"), None);
    }
}
