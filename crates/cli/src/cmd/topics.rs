//! `list topics`, `list topic-handlers`, `delete topics` and `delete topic-handlers`, with
//! Kapacitor's column layouts.

use super::Ctx;
use crate::client::Client;
use crate::failure::Failure;
use crate::gofmt::pad;
use crate::topics_api::Topic;

/// Lays out topics as `list topics` prints them (in the server's order, by id).
pub fn format_topics(topics: &[Topic]) -> String {
    let max_id = topics.iter().map(|t| t.id.len()).fold(2, usize::max);
    let max_level = topics.iter().map(|t| t.level.len()).fold(8, usize::max);
    let row = |id: &str, level: &str, collected: &str| {
        format!(
            "{}{}{collected:>10}\n",
            pad(id, max_id + 1),
            pad(level, max_level + 1)
        )
    };
    let mut out = row("ID", "Level", "Collected");
    for t in topics {
        out.push_str(&row(&t.id, &t.level, &t.collected.to_string()));
    }
    out
}

/// Lays out (topic, id, kind) rows as `list topic-handlers` prints them.
pub fn format_handlers(rows: &[(String, String, String)]) -> String {
    let width =
        |f: fn(&(String, String, String)) -> usize| rows.iter().map(f).fold(10, usize::max) + 1;
    let (wt, wi, wk) = (
        width(|r| r.0.len()),
        width(|r| r.1.len()),
        width(|r| r.2.len()),
    );
    let row = |t: &str, i: &str, k: &str| format!("{}{}{}\n", pad(t, wt), pad(i, wi), pad(k, wk));
    let mut out = row("Topic", "ID", "Kind");
    for (t, i, k) in rows {
        out.push_str(&row(t, i, k));
    }
    out
}

/// `list topics [pattern...]`.
pub fn list_topics(ctx: &Ctx, patterns: &[String]) -> Result<(), Failure> {
    let mut all = Vec::new();
    for pattern in patterns {
        all.extend(ctx.client.list_topics(pattern)?);
    }
    print!("{}", format_topics(&all));
    Ok(())
}

/// `list topic-handlers [topic pattern] [pattern...]`.
pub fn list_handlers(ctx: &Ctx, patterns: &[String]) -> Result<(), Failure> {
    let (topic_pattern, rest) = patterns
        .split_first()
        .map_or(("", &[][..]), |(t, r)| (t.as_str(), r));
    let all = [String::new()];
    let rest = if rest.is_empty() { &all[..] } else { rest };
    let mut rows = Vec::new();
    for topic in ctx.client.list_topics(topic_pattern)? {
        for pattern in rest {
            for h in ctx.client.list_topic_handlers(&topic.id, pattern)? {
                rows.push((topic.id.clone(), h.id, h.kind));
            }
        }
    }
    print!("{}", format_handlers(&rows));
    Ok(())
}

/// `delete topics <pattern...>`.
pub fn delete_topics(ctx: &Ctx, patterns: &[String]) -> Result<(), Failure> {
    for pattern in patterns {
        for t in ctx.client.list_topics(pattern)? {
            let link = if t.link.href.is_empty() {
                Client::topic_link(&t.id)
            } else {
                t.link.href
            };
            ctx.client.delete_link(&link)?;
        }
    }
    Ok(())
}

/// `delete topic-handlers <topic> <pattern...>`.
pub fn delete_handlers(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let Some((topic, patterns)) = args.split_first() else {
        return Ok(());
    };
    for pattern in patterns {
        for h in ctx.client.list_topic_handlers(topic, pattern)? {
            let link = if h.link.href.is_empty() {
                Client::topic_handler_link(topic, &h.id)
            } else {
                h.link.href
            };
            ctx.client.delete_link(&link)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_layout() {
        let t = |id: &str, level: &str, collected| Topic {
            id: id.into(),
            level: level.into(),
            collected,
            ..Default::default()
        };
        assert_eq!(
            format_topics(&[
                t("cpu", "CRITICAL", 12),
                t("main:cpu_alert:alert2", "OK", 3)
            ]),
            "ID                    Level     Collected\n\
             cpu                   CRITICAL         12\n\
             main:cpu_alert:alert2 OK                3\n"
        );
    }

    #[test]
    fn handlers_layout() {
        let rows = vec![(
            "cpu".to_string(),
            "slack-critical".to_string(),
            "slack".to_string(),
        )];
        assert_eq!(
            format_handlers(&rows),
            "Topic      ID             Kind       \n\
             cpu        slack-critical slack      \n"
        );
    }
}
