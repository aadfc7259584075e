//! `kapacitor define-topic-handler <spec file>`: reads a YAML or JSON handler spec and
//! creates the handler, or replaces it when it exists.

use anyhow::Context;

use super::{Ctx, println_text};
use crate::client::Client;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::topics_api::TopicHandlerOptions;
use crate::usage;

/// Decodes a spec file by its extension, as Kapacitor does (`.yaml`, `.yml`, `.json`).
pub fn decode_spec(path: &str, data: &str) -> anyhow::Result<TopicHandlerOptions> {
    let ext = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "yaml" | "yml" => serde_saphyr::from_str(data)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("failed to unmarshal yaml handler file {path:?}")),
        "json" => serde_json::from_str(data)
            .with_context(|| format!("failed to unmarshal json handler file {path:?}")),
        _ => Err(anyhow::anyhow!(
            "failed to read handler file {path:?}: bad file extension. Must be YAML or JSON"
        )),
    }
}

/// Runs `define-topic-handler`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let [path] = args else {
        let text = usage::command("define-topic-handler").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!(
                "Must provide a path to a handler file.\n{}",
                println_text(text)
            ),
        ));
    };
    let data = std::fs::read_to_string(path)
        .with_context(|| format!("failed to open handler spec file {path:?}"))?;
    let spec = decode_spec(path, &data)?;
    let link = Client::topic_handler_link(&spec.topic, &spec.id);
    // As Kapacitor: a failed lookup means "create".
    let exists = ctx
        .client
        .topic_handler(&link)
        .map(|h| !h.id.is_empty())
        .unwrap_or(false);
    if exists {
        ctx.client.replace_topic_handler(&link, &spec)?;
    } else {
        ctx.client.create_topic_handler(&spec)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_specs() {
        let y = "topic: cpu\nid: example\nkind: slack\nmatch: changed() == TRUE\noptions:\n  channel: '#alerts'\n";
        let s = decode_spec("slack.yaml", y).unwrap();
        assert_eq!(
            (s.topic.as_str(), s.id.as_str(), s.kind.as_str()),
            ("cpu", "example", "slack")
        );
        assert_eq!(s.match_expr, "changed() == TRUE");
        assert_eq!(s.options.unwrap()["channel"], "#alerts");
        let s = decode_spec(
            "x.json",
            r#"{"topic":"t","id":"i","kind":"log","options":{"path":"/tmp/a"}}"#,
        )
        .unwrap();
        assert_eq!(s.options.unwrap()["path"], "/tmp/a");
        assert!(decode_spec("x.yaml", "topic: [").is_err());
        assert!(decode_spec("x.txt", "").is_err());
    }
}
