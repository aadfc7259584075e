//! Parse and lex errors.

/// A TICKscript lexing or parsing failure, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column of the error, counted in bytes like Kapacitor.
    pub char: usize,
    /// Full message, formatted as Kapacitor does.
    pub message: String,
}

impl ParseError {
    /// The message followed by the offending source line and a caret under the error column.
    pub fn render(&self, src: &str) -> String {
        let mut out = self.message.clone();
        let Some(line) = src.split('\n').nth(self.line.saturating_sub(1)) else {
            return out;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        // The column is a byte count; the caret goes under the character containing it.
        let byte = self.char.saturating_sub(1).min(line.len());
        let width = line
            .char_indices()
            .take_while(|&(i, _)| i < byte)
            .map(|(_, c)| if c == '\t' { 4 } else { 1 })
            .sum::<usize>();
        let shown: String = line
            .chars()
            .map(|c| {
                if c == '\t' {
                    "    ".to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        out.push_str(&format!(
            "\n{gutter} --> line {} char {}\n{gutter} |\n{number} | {shown}\n{gutter} | {}^",
            self.line,
            self.char,
            " ".repeat(width)
        ));
        out
    }
}
