//! Usage texts of `kapacitor` and of each command (printed to stderr, like Kapacitor does).

use crate::flags::{Flag, FlagSet};

/// Flags accepted before the command.
pub fn main_flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string(
            "url",
            "The URL http(s)://host:port of the kapacitord server. Defaults to the KAPACITOR_URL environment variable or http://localhost:9092 if not set.",
        ),
        Flag::boolean(
            "skipVerify",
            "Disable SSL verification (note, this is insecure). Defaults to the KAPACITOR_UNSAFE_SSL environment variable or false if not set.",
        ),
    ])
}

const MAIN: &str = "
Usage: kapacitor [options] [command] [args]

Commands:

\trecord                Record a query result or a window of the live data stream.
\tdefine                Create or update a task.
\tdefine-template       Create or update a template.
\tdefine-topic-handler  Create or update an alert handler of a topic.
\treplay                Replay a recording against a task.
\treplay-live           Replay data against a task without saving a recording.
\twatch                 Follow the logs of a task.
\tlogs                  Follow the Kapacitor logs, filtered by tags.
\tenable                Enable tasks so they process live data.
\tdisable               Stop running tasks.
\treload                Disable then enable running tasks.
\tpush                  Publish tasks (and their templates) to another Kapacitor instance.
\tdelete                Delete tasks, templates, recordings, replays, topics or topic-handlers.
\tlist                  List tasks, templates, recordings, replays, topics, topic-handlers or service-tests.
\tshow                  Show the details of a task.
\tshow-template         Show the details of a template.
\tshow-topic-handler    Show the details of an alert handler of a topic.
\tshow-topic            Show the details of an alert topic.
\tbackup                Save a copy of the Kapacitor database.
\tlevel                 Set the log level of the kapacitord server.
\tstats                 Show statistics about Kapacitor.
\tversion               Show the version of this client.
\tvars                  Print the server's debug vars as JSON.
\tservice-tests         Run the test of one or more services.
\tflux                  Manage Flux tasks.
\thelp                  Show the help of a command.

Options:
";

/// The top-level usage text followed by the global flags.
pub fn main_usage() -> String {
    format!("{MAIN}\n{}", main_flags().defaults())
}

/// Usage text of `define`, followed by its flags.
pub fn define(flags: &FlagSet) -> String {
    format!(
        "Usage: kapacitor define <task ID> [options]

\tCreate a task, or update an existing one.

\tThe task's data pipeline is written in a TICKscript.

\tOptions that are not given leave the task's current value untouched.

\tAn enabled task is reloaded after the update, unless -no-reload is given.

For example:

\tThe first definition of a task gives every flag:

\t\t$ kapacitor define my_task -tick path/to/TICKscript -type stream -dbrp mydb.myrp

\tLater, change one property by naming the task and giving only that option:

\t\t$ kapacitor define my_task -tick path/to/TICKscript

\tor

\t\t$ kapacitor define my_task -dbrp mydb.myrp -dbrp otherdb.default

\tNOTE: -dbrp replaces the whole list, so give every pair the task needs.

Options:


{}",
        flags.defaults()
    )
}

/// Usage text of `show`, followed by its flags.
pub fn show(flags: &FlagSet) -> String {
    format!(
        "Usage: kapacitor show [-replay] [task ID]

\tShow the details of one task.

Options:

{}",
        flags.defaults()
    )
}

const ENABLE: &str = "Usage: kapacitor enable [task ID...]

\tEnable tasks: they start processing live data.

For example:

\tEnable one task by its ID:

\t\t$ kapacitor enable cpu_alert

\tor every task matching a glob:

\t\t$ kapacitor enable *_alert
";

const DISABLE: &str = "Usage: kapacitor disable [task ID...]

\tDisable tasks: they stop running.

For example:

\tDisable one task by its ID:

\t\t$ kapacitor disable cpu_alert

\tor every task matching a glob:

\t\t$ kapacitor disable *_alert
";

const RELOAD: &str = "Usage: kapacitor reload [task ID...]

\tDisable and then enable running tasks, so they pick up their current definition.

For example:

\tReload one task by its ID:

\t\t$ kapacitor reload cpu_alert

\tor every task matching a glob:

\t\t$ kapacitor reload *_alert
";

const DELETE: &str = "Usage: kapacitor delete (tasks|templates|recordings|replays|topics|topic-handlers) [ID or pattern]...

\tDelete tasks, templates, recordings, replays, topics or topic handlers.

\tAn enabled task is disabled before it is deleted.

\tTo delete handlers, name their topic before the handler IDs or patterns:

\t\t$ kapacitor delete topic-handlers [topic] [ID or pattern]

For example:

\tDelete one task:

\t\t$ kapacitor delete tasks my_task

\tDelete every task matching a glob:

\t\t$ kapacitor delete tasks *_alert

\tDelete a recording:

\t\t$ kapacitor delete recordings b0a2ba8a-aeeb-45ec-bef9-1a2939963586

\tDelete the handler 'slack' of the topic 'system':

\t\t$ kapacitor delete topic-handlers system slack
";

const LIST: &str = "Usage: kapacitor list (tasks|templates|recordings|replays|topics|topic-handlers|service-tests) [ID or pattern]...

\tList tasks, templates, recordings, replays, topics, handlers or service tests with their state.

\tWithout an ID or pattern, every item is listed.

\tTo list handlers, give the topic ID or pattern first, then handler IDs or patterns:

\t\t$ kapacitor list topic-handlers [topicID or pattern] [ID or pattern]

\tFor example, every handler of the system topic:

\t\t$ kapacitor list topic-handlers system

\tor only its email* handlers:

\t\t$ kapacitor list topic-handlers system email*
";

const HELP: &str = "Usage: kapacitor help [command]
";

const VERSION: &str = "Usage: kapacitor version

\tPrint the version of this client.
";

const RECORD: &str = "Usage: kapacitor record [batch|stream|query] [options]

\tRecord the result of an InfluxDB query, or a window of the live data stream.

\tThe recording ID is printed when done.

\tSee 'kapacitor help replay' to replay a recording.
";

const REPLAY: &str = "Usage: kapacitor replay [options]

\tReplay a recording against a task and print the replay ID.

\tOptions: -task, -recording, -real-clock, -rec-time, -replay-id, -no-wait.

\tSee 'kapacitor help record' to make a recording.
\tSee 'kapacitor help define' to create a task.
";

const REPLAY_LIVE: &str = "Usage: kapacitor replay-live <batch|query> [options]

\tReplay data against a task directly, without saving a recording.

\tbatch options: -task, -start, -stop, -past, -real-clock, -rec-time, -replay-id, -no-wait.
\tquery options: -task, -query, -cluster, -real-clock, -rec-time, -replay-id, -no-wait.
";

const DEFINE_TEMPLATE: &str = "Usage: kapacitor define-template <template ID> [options]

\tCreate a template, or update an existing one (which reloads every task made from it).

\tOptions: -tick <path>, -type stream|batch.
";

const DEFINE_TOPIC_HANDLER: &str =
    "Usage: kapacitor define-topic-handler <path to handler spec file>

\tCreate or replace an alert handler described by a YAML or JSON file.

For example:

\t\t$ kapacitor define-topic-handler slack.yaml
";

const SHOW_TEMPLATE: &str = "Usage: kapacitor show-template [template ID]

\tShow the details of one template.
";

const SHOW_TOPIC_HANDLER: &str = "Usage: kapacitor show-topic-handler [topic ID] [handler ID]

\tShow the details of one handler.
";

const SHOW_TOPIC: &str = "Usage: kapacitor show-topic [topic ID]

\tShow the details of one topic.
";

const BACKUP: &str = "Usage: kapacitor backup <output file>

\tSave a copy of the Kapacitor database.

\tTo restore it, stop Kapacitor and put the copy in place of the kapacitor.db file.
";

const WATCH: &str = "Usage: kapacitor watch <task id> [<tags> ...]

\tFollow the logs of a task.

\tExamples:

\t\t$ kapacitor watch mytask
\t\t$ kapacitor watch mytask node=log5
";

const LOGS: &str = "Usage: kapacitor logs [<tags> ...]

\tFollow the Kapacitor logs, filtered by tags.

\t\t$ kapacitor logs service=http lvl=error
\t\t$ kapacitor logs service=http lvl=info+
";

const LEVEL: &str = "Usage: kapacitor level (debug|info|error)

\tSet the log level of the kapacitord server.
";

const STATS: &str = "Usage: kapacitor stats <general|ingress>

\tPrint statistics about Kapacitor.

\tgeneral - summary of the server.
\tingress - points received by database, retention policy and measurement.
";

const VARS: &str = "Usage: kapacitor vars

\tPrint the server's debug vars as JSON.
";

const SERVICE_TESTS: &str = "Usage: kapacitor service-tests <service name...>

\tPerform the service test using defaults.
\tThe service name can be a glob style pattern.
";

const FLUX: &str = "Usage: kapacitor flux task <command> [options]

\tManage Flux tasks: create, list, update, delete, retry-failed, log list, run list, run retry.
";

/// The usage text of a command that has no flags of its own to list, or None if unknown.
pub fn command(name: &str) -> Option<&'static str> {
    Some(match name {
        "enable" => ENABLE,
        "disable" => DISABLE,
        "reload" => RELOAD,
        "delete" => DELETE,
        "list" => LIST,
        "help" => HELP,
        "version" => VERSION,
        "record" => RECORD,
        "replay" => REPLAY,
        "replay-live" => REPLAY_LIVE,
        "define-template" => DEFINE_TEMPLATE,
        "define-topic-handler" => DEFINE_TOPIC_HANDLER,
        "show-template" => SHOW_TEMPLATE,
        "show-topic-handler" => SHOW_TOPIC_HANDLER,
        "show-topic" => SHOW_TOPIC,
        "backup" => BACKUP,
        "watch" => WATCH,
        "logs" => LOGS,
        "level" => LEVEL,
        "stats" => STATS,
        "vars" => VARS,
        "service-tests" => SERVICE_TESTS,
        "flux" => FLUX,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_usage_lists_commands_and_flags() {
        let u = main_usage();
        assert!(u.starts_with("\nUsage: kapacitor [options] [command] [args]\n"));
        assert!(u.contains("\tdefine                Create or update a task.\n"));
        assert!(u.ends_with("Options:\n\n  -skipVerify\n    \tDisable SSL verification (note, this is insecure). Defaults to the KAPACITOR_UNSAFE_SSL environment variable or false if not set.\n  -url string\n    \tThe URL http(s)://host:port of the kapacitord server. Defaults to the KAPACITOR_URL environment variable or http://localhost:9092 if not set.\n"));
    }

    #[test]
    fn every_listed_command_but_push_has_help() {
        for line in MAIN.lines().filter(|l| l.starts_with('\t')) {
            let name = line.split_whitespace().next().unwrap();
            if ["push", "define", "show"].contains(&name) {
                continue;
            }
            assert!(command(name).is_some(), "{name}");
        }
    }
}
