//! `kapacitor show-topic-handler <topic> <handler>`: one handler spec.

use super::{Ctx, println_text};
use crate::client::Client;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::topics_api::TopicHandler;
use crate::usage;

/// Lays out a handler as Kapacitor prints it: options as compact Go JSON (sorted keys).
pub fn format_handler(topic: &str, h: &TopicHandler) -> anyhow::Result<String> {
    let options = match &h.options {
        Some(o) => kapa_models::gojson::to_go_json(o)?,
        None => "null".to_string(),
    };
    Ok(format!(
        "ID: {}\nTopic: {topic}\nKind: {}\nMatch: {}\nOptions: {options}\n",
        h.id, h.kind, h.match_expr
    ))
}

/// Runs `show-topic-handler`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let [topic, id] = args else {
        let text = usage::command("show-topic-handler").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!(
                "Must specify both topic and handler IDs\n{}",
                println_text(text)
            ),
        ));
    };
    let h = ctx
        .client
        .topic_handler(&Client::topic_handler_link(topic, id))?;
    print!("{}", format_handler(topic, &h)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_kapacitor() {
        let h: TopicHandler = serde_json::from_str(
            r##"{"id":"slack","kind":"slack","match":"changed()","options":{"url":"http://x/?a=1&b=<2>","channel":"#a"}}"##,
        )
        .unwrap();
        assert_eq!(
            format_handler("cpu", &h).unwrap(),
            "ID: slack\nTopic: cpu\nKind: slack\nMatch: changed()\nOptions: {\"channel\":\"#a\",\"url\":\"http://x/?a=1\\u0026b=\\u003c2\\u003e\"}\n"
        );
    }
}
