//! The error reported for one rejected line, and the InfluxDB-style reasons.

use std::fmt;

/// Longest slice of the offending line kept in a [`LineError`].
pub const MAX_ERROR_TEXT: usize = 256;

/// One line of a write body that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse '{text}': {reason} (line {line})")]
pub struct LineError {
    /// 1-based number of the physical line where the bad point starts.
    pub line: usize,
    /// The offending line (leading whitespace removed), cut to 256 bytes.
    pub text: String,
    /// InfluxDB-style reason, such as `missing fields` or `invalid number`.
    pub reason: String,
}

impl LineError {
    pub(crate) fn new(line: usize, text: &[u8], reason: &Reason) -> Self {
        LineError {
            line,
            text: truncated_text(text),
            reason: reason.to_string(),
        }
    }
}

/// The line as text (invalid UTF-8 replaced), cut on a character boundary at
/// [`MAX_ERROR_TEXT`] bytes.
fn truncated_text(text: &[u8]) -> String {
    let s = String::from_utf8_lossy(text);
    let mut cut = s.len().min(MAX_ERROR_TEXT);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s[..cut].to_string()
}

/// Why a line was rejected; the texts are those of InfluxDB 1.x `models`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reason {
    MissingMeasurement,
    MissingFields,
    MissingTagKey,
    MissingTagValue,
    InvalidTagFormat,
    DuplicateTags,
    MaxKeyLength(usize),
    MissingFieldKey,
    MissingFieldValue,
    InvalidFieldFormat,
    UnbalancedQuotes,
    InvalidNumber,
    InvalidFloat,
    InvalidBoolean,
    /// Digits of an integer field (without the `i`) outside the i64 range.
    IntegerRange(String),
    /// Digits of an unsigned field (without the `u`) outside the u64 range.
    UnsignedRange(String),
    BadTimestamp,
    /// Timestamp digits that do not fit an i64.
    TimestampRange(String),
    /// Timestamp that is only a minus sign.
    TimestampSyntax(String),
    /// Timestamp outside the representable nanosecond range.
    TimeOutOfRange {
        value: i64,
        min: i64,
        max: i64,
    },
    InvalidPoint,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MissingMeasurement => f.write_str("missing measurement"),
            Reason::MissingFields => f.write_str("missing fields"),
            Reason::MissingTagKey => f.write_str("missing tag key"),
            Reason::MissingTagValue => f.write_str("missing tag value"),
            Reason::InvalidTagFormat => f.write_str("invalid tag format"),
            Reason::DuplicateTags => f.write_str("duplicate tags"),
            Reason::MaxKeyLength(n) => {
                write!(
                    f,
                    "max key length exceeded: {n} > {}",
                    crate::parse::MAX_KEY_LENGTH
                )
            }
            Reason::MissingFieldKey => f.write_str("missing field key"),
            Reason::MissingFieldValue => f.write_str("missing field value"),
            Reason::InvalidFieldFormat => f.write_str("invalid field format"),
            Reason::UnbalancedQuotes => f.write_str("unbalanced quotes"),
            Reason::InvalidNumber => f.write_str("invalid number"),
            Reason::InvalidFloat => f.write_str("invalid float"),
            Reason::InvalidBoolean => f.write_str("invalid boolean"),
            Reason::IntegerRange(d) => write!(
                f,
                "unable to parse integer {d}: strconv.ParseInt: parsing \"{d}\": value out of range"
            ),
            Reason::UnsignedRange(d) => write!(
                f,
                "unable to parse unsigned {d}: strconv.ParseUint: parsing \"{d}\": value out of range"
            ),
            Reason::BadTimestamp => f.write_str("bad timestamp"),
            Reason::TimestampRange(d) => {
                write!(f, "strconv.ParseInt: parsing \"{d}\": value out of range")
            }
            Reason::TimestampSyntax(d) => {
                write!(f, "strconv.ParseInt: parsing \"{d}\": invalid syntax")
            }
            Reason::TimeOutOfRange { value, min, max } => {
                write!(f, "time {value} is outside the range [{min}, {max}]")
            }
            Reason::InvalidPoint => f.write_str("point is invalid"),
        }
    }
}
