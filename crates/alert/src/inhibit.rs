//! Inhibitors (`.inhibit(category, tags...)`): while an alert with an inhibitor has a
//! non-OK event, events of that category whose values of those tags are equal are dropped.

use std::collections::HashMap;

use parking_lot::RwLock;

#[derive(Debug, Default)]
struct Inhibitor {
    /// The alert node that owns it (`main:<task>:<node>`).
    owner: String,
    /// Tag names whose values must be equal.
    tags: Vec<String>,
    /// Values of `tags` of each non-OK event of the owner, by event id.
    active: HashMap<String, Vec<String>>,
}

/// Every inhibitor by category; checked once per alert event, not per point.
#[derive(Debug, Default)]
pub(crate) struct Inhibitors {
    by_category: RwLock<HashMap<String, Vec<Inhibitor>>>,
}

fn tag_values(names: &[String], tags: &[(String, String)]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            tags.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect()
}

impl Inhibitors {
    /// Records the level of one event of `owner`'s inhibitor on `category`.
    pub(crate) fn update(
        &self,
        owner: &str,
        category: &str,
        tag_names: &[String],
        event_id: &str,
        tags: &[(String, String)],
        active: bool,
    ) {
        let mut map = self.by_category.write();
        let list = map.entry(category.to_string()).or_default();
        let pos = match list
            .iter()
            .position(|i| i.owner == owner && i.tags == tag_names)
        {
            Some(p) => p,
            None => {
                list.push(Inhibitor {
                    owner: owner.to_string(),
                    tags: tag_names.to_vec(),
                    active: HashMap::new(),
                });
                list.len() - 1
            }
        };
        let inh = &mut list[pos];
        if active {
            inh.active
                .insert(event_id.to_string(), tag_values(tag_names, tags));
        } else {
            inh.active.remove(event_id);
        }
    }

    /// Whether an event of `category` with `tags` is inhibited now.
    pub(crate) fn is_inhibited(&self, category: &str, tags: &[(String, String)]) -> bool {
        if category.is_empty() {
            return false;
        }
        let map = self.by_category.read();
        let Some(list) = map.get(category) else {
            return false;
        };
        list.iter().any(|inh| {
            let values = tag_values(&inh.tags, tags);
            inh.active.values().any(|v| *v == values)
        })
    }

    /// Forgets the inhibitors of an alert node (its task stopped).
    pub(crate) fn remove_owner(&self, owner: &str) {
        let mut map = self.by_category.write();
        for list in map.values_mut() {
            list.retain(|i| i.owner != owner);
        }
        map.retain(|_, l| !l.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn inhibits_equal_tags_while_active() {
        let inh = Inhibitors::default();
        let names = vec!["host".to_string()];
        inh.update("o", "system", &names, "e1", &tags(&[("host", "a")]), true);
        assert!(inh.is_inhibited("system", &tags(&[("host", "a"), ("cpu", "0")])));
        assert!(!inh.is_inhibited("system", &tags(&[("host", "b")])));
        assert!(!inh.is_inhibited("other", &tags(&[("host", "a")])));
        assert!(!inh.is_inhibited("", &tags(&[("host", "a")])));
        inh.update("o", "system", &names, "e1", &tags(&[("host", "a")]), false);
        assert!(!inh.is_inhibited("system", &tags(&[("host", "a")])));
        inh.update("o", "system", &names, "e1", &tags(&[("host", "a")]), true);
        inh.remove_owner("o");
        assert!(!inh.is_inhibited("system", &tags(&[("host", "a")])));
    }
}
