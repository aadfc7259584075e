//! `kapacitor show-topic <topic>`: the topic's level, handlers and events by time.

use super::{Ctx, println_text};
use crate::client::Client;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::gofmt::{pad, time};
use crate::topics_api::{Topic, TopicEvent};
use crate::usage;

/// Lays out a topic as Kapacitor prints it; events oldest first, the Event and Message
/// columns one wider than their longest value (at least the header).
pub fn format_topic(
    topic: &Topic,
    handlers: &[String],
    events: &[TopicEvent],
    tz: &jiff::tz::TimeZone,
) -> String {
    let mut events: Vec<&TopicEvent> = events.iter().collect();
    // RFC 3339 times from the server sort like the instants when they share an offset.
    events.sort_by_key(|e| {
        e.state
            .time
            .parse::<jiff::Timestamp>()
            .map(|t| t.as_nanosecond())
            .unwrap_or(i128::MIN)
    });
    let max_event = events.iter().map(|e| e.id.len()).fold(5, usize::max);
    let max_message = events
        .iter()
        .map(|e| e.state.message.len())
        .fold(7, usize::max);
    let row = |event: &str, level: &str, message: &str, date: &str| {
        format!(
            "{}{}{}{}\n",
            pad(event, max_event + 1),
            pad(level, 9),
            pad(message, max_message + 1),
            pad(date, 23)
        )
    };
    let mut out = format!(
        "ID: {}\nLevel: {}\nCollected: {}\nHandlers: [{}]\nEvents:\n",
        topic.id,
        topic.level,
        topic.collected,
        handlers.join(", ")
    );
    out.push_str(&row("Event", "Level", "Message", "Date"));
    for e in events {
        out.push_str(&row(
            &e.id,
            &e.state.level,
            &e.state.message,
            &time(Some(&e.state.time), tz),
        ));
    }
    out
}

/// Runs `show-topic`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let [id] = args else {
        let text = usage::command("show-topic").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must specify one topic ID\n{}", println_text(text)),
        ));
    };
    let topic = ctx.client.topic(&Client::topic_link(id))?;
    let events = ctx.client.list_topic_events(&topic.id)?;
    let handlers: Vec<String> = ctx
        .client
        .list_topic_handlers(&topic.id, "")?
        .into_iter()
        .map(|h| h.id)
        .collect();
    print!("{}", format_topic(&topic, &handlers, &events, &ctx.tz));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topics_api::EventState;

    #[test]
    fn layout_matches_kapacitor() {
        let topic = Topic {
            id: "cpu".into(),
            level: "CRITICAL".into(),
            collected: 3,
            ..Default::default()
        };
        let ev = |id: &str, level: &str, time: &str| TopicEvent {
            id: id.into(),
            state: EventState {
                message: format!("{id} is {level}"),
                time: time.into(),
                level: level.into(),
            },
        };
        let events = [
            ev("cpu:b", "OK", "2026-01-02T10:00:00Z"),
            ev("cpu:a", "CRITICAL", "2026-01-02T09:00:00Z"),
        ];
        let got = format_topic(
            &topic,
            &["log".to_string(), "slack".to_string()],
            &events,
            &jiff::tz::TimeZone::UTC,
        );
        assert_eq!(
            got,
            "ID: cpu\nLevel: CRITICAL\nCollected: 3\nHandlers: [log, slack]\nEvents:\n\
             Event Level    Message           Date                   \n\
             cpu:a CRITICAL cpu:a is CRITICAL 02 Jan 26 09:00 UTC    \n\
             cpu:b OK       cpu:b is OK       02 Jan 26 10:00 UTC    \n"
        );
    }
}
