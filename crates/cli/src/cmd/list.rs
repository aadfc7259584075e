//! `kapacitor list tasks [pattern...]` with Kapacitor's column layout.

use super::{Ctx, println_text};
use crate::client::{ListTasks, Task};
use crate::dbrp::format_list;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::gofmt::pad;
use crate::usage;

const LIMIT: usize = 100;

/// Lays out tasks as `list tasks` prints them: sorted by ID, the ID column one wider than
/// the longest ID, then 10-wide Type, Status and Executing columns and the DBRP list.
pub fn format_tasks(tasks: &[Task]) -> String {
    let mut sorted: Vec<&Task> = tasks.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    // Kapacitor measures IDs in bytes but pads in characters; keep both quirks.
    let width = sorted.iter().map(|t| t.id.len()).fold(2, usize::max) + 1;
    let row = |id: &str, kind: &str, status: &str, exec: &str, dbrps: &str| {
        format!(
            "{}{}{}{}{dbrps}\n",
            pad(id, width),
            pad(kind, 10),
            pad(status, 10),
            pad(exec, 10)
        )
    };
    let mut out = row(
        "ID",
        "Type",
        "Status",
        "Executing",
        "Databases and Retention Policies",
    );
    for t in sorted {
        out.push_str(&row(
            &t.id,
            &t.kind,
            &t.status,
            if t.executing { "true" } else { "false" },
            &format_list(&t.dbrps),
        ));
    }
    out
}

/// Runs `list`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let Some((kind, patterns)) = args.split_first() else {
        let text = usage::command("list").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!(
                "Must specify 'tasks', 'recordings', 'replays', 'topics', or 'topic-handlers'\n{}",
                println_text(text)
            ),
        ));
    };
    let all = [String::new()];
    match kind.as_str() {
        "tasks" => {}
        "topics" => {
            let p = if patterns.is_empty() {
                &all[..]
            } else {
                patterns
            };
            return super::topics::list_topics(ctx, p);
        }
        "topic-handlers" => return super::topics::list_handlers(ctx, patterns),
        k @ ("templates" | "recordings" | "replays") => {
            return super::resources::list(ctx, k, patterns);
        }
        "service-tests" => return super::service_tests::list(ctx, patterns),
        k => {
            return Err(anyhow::anyhow!(
                "cannot list '{k}' did you mean 'tasks', 'recordings', 'replays', 'topics', 'topic-handlers' or 'service-tests'?"
            )
            .into());
        }
    }
    let patterns = if patterns.is_empty() {
        &all[..]
    } else {
        patterns
    };
    let mut tasks = Vec::new();
    for pattern in patterns {
        let mut offset = 0;
        loop {
            let opt = ListTasks {
                pattern,
                fields: &["type", "status", "executing", "dbrps"],
                offset,
                limit: LIMIT,
            };
            let page = ctx.client.list_tasks(&opt)?;
            let n = page.len();
            tasks.extend(page);
            if n != LIMIT {
                break;
            }
            offset += LIMIT;
        }
    }
    print!("{}", format_tasks(&tasks));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"{"tasks":[
        {"link":{"rel":"self","href":"/kapacitor/v1/tasks/mem_alert"},"id":"mem_alert",
         "type":"batch","status":"disabled","executing":false,
         "dbrps":[{"db":"telegraf","rp":"autogen"},{"db":"other","rp":"default"}]},
        {"link":{"rel":"self","href":"/kapacitor/v1/tasks/cpu_alert"},"id":"cpu_alert",
         "type":"stream","status":"enabled","executing":true,
         "dbrps":[{"db":"kapacitor_example","rp":"autogen"}]},
        {"id":"x","type":"stream","status":"disabled","executing":false,"dbrps":null}
    ]}"#;

    #[derive(serde::Deserialize)]
    struct List {
        tasks: Vec<Task>,
    }

    #[test]
    fn layout_matches_kapacitor() {
        let list: List = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(
            format_tasks(&list.tasks),
            "ID        Type      Status    Executing Databases and Retention Policies\n\
             cpu_alert stream    enabled   true      [\"kapacitor_example\".\"autogen\"]\n\
             mem_alert batch     disabled  false     [\"telegraf\".\"autogen\" \"other\".\"default\"]\n\
             x         stream    disabled  false     []\n"
        );
    }

    #[test]
    fn empty_list_has_header_only() {
        assert_eq!(
            format_tasks(&[]),
            "ID Type      Status    Executing Databases and Retention Policies\n"
        );
    }
}
