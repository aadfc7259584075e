//! `enable`, `disable`, `reload` and `delete`: each argument is an ID or a glob, expanded by
//! the server's task listing (`GET /tasks?pattern=...`), then acted on task by task.

use anyhow::Context as _;

use super::{Ctx, println_text};
use crate::client::{Client, ListTasks, Task, TaskOptions};
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::usage;

/// Kapacitor's page size for listings.
const LIMIT: usize = 100;

fn link_of(task: &Task) -> String {
    if task.link.href.is_empty() {
        Client::task_link(&task.id)
    } else {
        task.link.href.clone()
    }
}

fn need_ids(args: &[String], command: &str) -> Result<(), Failure> {
    if args.is_empty() {
        let text = usage::command(command).unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must pass at least one task ID\n{}", println_text(text)),
        ));
    }
    Ok(())
}

/// Sets the status of every task matching each pattern.
fn set_status(ctx: &Ctx, patterns: &[String], status: &str, verb: &str) -> Result<(), Failure> {
    for pattern in patterns {
        let mut offset = 0;
        loop {
            let opt = ListTasks {
                pattern,
                fields: &["link"],
                offset,
                limit: LIMIT,
            };
            let tasks = ctx.client.list_tasks(&opt).context("listing tasks")?;
            for task in &tasks {
                let change = TaskOptions {
                    status: status.to_string(),
                    ..TaskOptions::default()
                };
                ctx.client
                    .update_task(&link_of(task), &change)
                    .with_context(|| format!("{verb} task {}", task.id))?;
            }
            if tasks.len() != LIMIT {
                break;
            }
            offset += LIMIT;
        }
    }
    Ok(())
}

/// `kapacitor enable <id|glob>...`
pub fn enable(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    need_ids(args, "enable")?;
    set_status(ctx, args, "enabled", "enabling")
}

/// `kapacitor disable <id|glob>...`
pub fn disable(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    need_ids(args, "disable")?;
    set_status(ctx, args, "disabled", "disabling")
}

/// `kapacitor reload <id|glob>...`: disable all, then enable all.
pub fn reload(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    need_ids(args, "reload")?;
    set_status(ctx, args, "disabled", "disabling")?;
    set_status(ctx, args, "enabled", "enabling")
}

/// `kapacitor delete tasks <id|glob>...` (other kinds come later).
pub fn delete(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    if args.len() < 2 {
        let text = usage::command("delete").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must pass at least one ID\n{}", println_text(text)),
        ));
    }
    match args[0].as_str() {
        "tasks" => {}
        "topics" => return super::topics::delete_topics(ctx, &args[1..]),
        "topic-handlers" => return super::topics::delete_handlers(ctx, &args[1..]),
        kind @ ("templates" | "recordings" | "replays") => {
            return super::resources::delete(ctx, kind, &args[1..]);
        }
        kind => {
            return Err(anyhow::anyhow!(
                "cannot delete '{kind}' did you mean 'tasks', 'templates', 'recordings', 'replays', 'topics' or 'topic-handlers'?"
            )
            .into());
        }
    }
    for pattern in &args[1..] {
        // Deleted tasks leave the listing, so every page is read from the start.
        loop {
            let opt = ListTasks {
                pattern,
                fields: &["link"],
                offset: 0,
                limit: LIMIT,
            };
            let tasks = ctx.client.list_tasks(&opt)?;
            for task in &tasks {
                ctx.client.delete_task(&link_of(task))?;
            }
            if tasks.len() != LIMIT {
                break;
            }
        }
    }
    Ok(())
}
