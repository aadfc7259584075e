//! Building the `SmolStr` tokens of a line.
//!
//! Consecutive lines of a write body usually repeat the measurement, tag and
//! field names, so each token is compared with the token in the same position
//! on the previous line and, when equal, shares it (a 24-byte copy, or a
//! reference count for long strings) instead of being built again.

use smol_str::SmolStr;

use crate::escape::unescape_into;

/// Positions remembered from the previous line; later tokens are built afresh.
const MAX_REMEMBERED: usize = 256;

/// Token builder with an unescaping buffer and the previous line's tokens.
#[derive(Default)]
pub(crate) struct Tokens {
    scratch: String,
    previous: Vec<SmolStr>,
    next: usize,
}

impl Tokens {
    /// Restarts positions for a new line.
    pub(crate) fn start_line(&mut self) {
        self.next = 0;
    }

    /// Builds a token from `raw`, unescaping it first when it holds a backslash.
    pub(crate) fn make(
        &mut self,
        raw: &str,
        has_backslash: bool,
        is_escape: fn(u8) -> bool,
    ) -> SmolStr {
        let slot = self.next;
        self.next += 1;
        if !has_backslash {
            return reuse(&mut self.previous, slot, raw);
        }
        self.scratch.clear();
        unescape_into(raw, is_escape, &mut self.scratch);
        reuse(&mut self.previous, slot, &self.scratch)
    }
}

/// The previous line's token at `slot` when it equals `text`, else a new one
/// (remembered for the next line).
fn reuse(previous: &mut Vec<SmolStr>, slot: usize, text: &str) -> SmolStr {
    if let Some(prev) = previous.get_mut(slot) {
        if prev.as_str() != text {
            *prev = SmolStr::new(text);
        }
        return prev.clone();
    }
    let token = SmolStr::new(text);
    if slot == previous.len() && slot < MAX_REMEMBERED {
        previous.push(token.clone());
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape::is_tag_escape;

    #[test]
    fn repeats_share_and_changes_replace() {
        let mut t = Tokens::default();
        let long = "x".repeat(40);
        t.start_line();
        let a = t.make(&long, false, is_tag_escape);
        let b = t.make(r"a\ b", true, is_tag_escape);
        t.start_line();
        let a2 = t.make(&long, false, is_tag_escape);
        let b2 = t.make(r"a\ c", true, is_tag_escape);
        assert_eq!(a2, a);
        assert!(
            std::ptr::eq(a.as_str().as_ptr(), a2.as_str().as_ptr()),
            "long token shared"
        );
        assert_eq!(b, "a b");
        assert_eq!(b2, "a c");
        t.start_line();
        assert_eq!(t.make("new", false, is_tag_escape), "new");
        assert_eq!(t.make(r"a\ c", true, is_tag_escape), "a c");
    }
}
