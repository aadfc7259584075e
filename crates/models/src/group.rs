//! Group identities, built exactly as Kapacitor's `models.ToGroupID`.

use smol_str::SmolStr;

use crate::point::Tags;

thread_local! {
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The id of a group: `name\n` (only when grouping by measurement) followed by
/// `tag=value` pairs joined with `,` in dimension order; `nil` without dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct GroupId(pub SmolStr);

impl GroupId {
    /// The group of points that are not grouped.
    pub fn nil() -> Self {
        GroupId(SmolStr::new_static("nil"))
    }

    /// Builds the id from a measurement, tags and the dimension names.
    pub fn build(name: &str, tags: &Tags, dims: &[SmolStr], by_name: bool) -> Self {
        if dims.is_empty() {
            // As Kapacitor: the measurement alone, without the delimiter, or the nil group.
            return if by_name {
                GroupId(SmolStr::new(name))
            } else {
                GroupId::nil()
            };
        }
        // Built in a reused buffer: SmolStr keeps ids of up to 23 bytes inline, so the usual
        // group id costs no heap allocation per point.
        SCRATCH.with(|cell| {
            let mut s = cell.borrow_mut();
            s.clear();
            if by_name {
                s.push_str(name);
                s.push('\n');
            }
            for (i, d) in dims.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(d);
                s.push('=');
                if let Some(v) = tags.get(d) {
                    s.push_str(v);
                }
            }
            GroupId(SmolStr::new(s.as_str()))
        })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the nil group.
    pub fn is_nil(&self) -> bool {
        self.0 == "nil"
    }
}

impl std::fmt::Display for GroupId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_like_kapacitor() {
        let tags = Tags::from_pairs(vec![
            ("host".into(), "a".into()),
            ("cpu".into(), "0".into()),
        ]);
        assert_eq!(GroupId::build("m", &tags, &[], false).as_str(), "nil");
        assert_eq!(GroupId::build("m", &tags, &[], true).as_str(), "m");
        let dims = vec![SmolStr::new("host"), SmolStr::new("cpu")];
        assert_eq!(
            GroupId::build("m", &tags, &dims, false).as_str(),
            "host=a,cpu=0"
        );
        assert_eq!(
            GroupId::build("m", &tags, &dims[..1], true).as_str(),
            "m\nhost=a"
        );
    }
}
