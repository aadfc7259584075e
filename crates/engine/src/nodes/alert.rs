//! `|alert()`: evaluates levels per group, keeps the state history, decides which
//! events to emit (stateChangesOnly, flapping, noRecoveries), renders id/message/details
//! and publishes events to the node's topic (mirrors alert.go).

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value as TV;
use kapa_expr::{FieldsTagsScope, LambdaState};
use kapa_models::{FieldValue, Fields, GroupId, SeriesResult, Tags};
use kapa_pipeline::nodes::AlertSpec;
use serde::Serialize;

use crate::alert_event::{AlertData, AlertEvent, Level, RestoredEvent};
use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};
use crate::template::{GoTemplate, JSON_KEY, TemplateKind};

/// Kapacitor's flapping weights: the newest change weighs MAX_WEIGHT, the oldest
/// MAX_WEIGHT / WEIGHT_DIFF, rising linearly in between.
const MAX_WEIGHT: f64 = 1.2;
const WEIGHT_DIFF: f64 = 1.5;

/// Kapacitor's default `.message()`.
const DEFAULT_MESSAGE: &str = "{{ .ID }} is {{ .Level }}";
/// Kapacitor's default `.details()`.
const DEFAULT_DETAILS: &str = "{{ json . }}";

/// What Go's html/template does to a string printed in HTML text: `{{ json . }}` in the default
/// details template goes through exactly this.
fn html_escape_go(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '+' => out.push_str("&#43;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Rejects alert properties this build does not run yet, rather than ignoring them; every
/// property runs now, so this is only the place to add such a refusal.
pub(crate) fn check(_spec: &AlertSpec) -> Result<(), String> {
    Ok(())
}

struct GroupState {
    id: String,
    history: Vec<Level>,
    idx: usize,
    flapping: bool,
    changed: bool,
    expired: bool,
    first_triggered: i64,
    last_triggered: i64,
    level_states: [Option<LambdaState>; 4],
    reset_states: [Option<LambdaState>; 4],
    /// Level of the last event sent.
    last_sent: Level,
}

impl GroupState {
    fn current(&self) -> Level {
        self.history[self.idx]
    }

    fn add_event(&mut self, level: Level) {
        self.changed = self.history[self.idx] != level;
        self.idx = (self.idx + 1) % self.history.len();
        self.history[self.idx] = level;
    }

    fn previous(&self) -> Level {
        let n = self.history.len();
        self.history[(self.idx + n - 1) % n]
    }

    fn triggered(&mut self, t: i64) {
        self.last_triggered = t;
        if self.previous() == Level::Ok {
            self.first_triggered = t;
        }
    }

    /// Continues a restored non-OK state: it becomes the current level and the last level
    /// sent, and the duration keeps counting from the state's first trigger.
    fn restore(&mut self, r: RestoredEvent) {
        if r.level == Level::Ok {
            return;
        }
        self.add_event(r.level);
        self.triggered(r.time);
        self.first_triggered = r.time - r.duration.max(0);
        self.last_sent = r.level;
    }

    fn percent_change(&self) -> f64 {
        let l = self.history.len();
        let mut changes = 0.0;
        let mut weight = MAX_WEIGHT / WEIGHT_DIFF;
        let step = (MAX_WEIGHT - weight) / (l - 1) as f64;
        for i in 0..l - 1 {
            let c = (i + self.idx) % l;
            let p = if c == 0 { l - 1 } else { c - 1 };
            if self.history[c] != self.history[p] {
                changes += weight;
            }
            weight += step;
        }
        changes / (l - 1) as f64
    }
}

pub(crate) struct AlertNode {
    spec: AlertSpec,
    id_tmpl: GoTemplate,
    message_tmpl: GoTemplate,
    details_tmpl: GoTemplate,
    /// The anonymous topic, when the node has handlers.
    anon_topic: Option<String>,
    /// `main:<task>:<node>`: names this node's inhibitors in the alert sink.
    owner: String,
    alerts_inhibited: i64,
    groups: crate::message::GroupMap<GroupState>,
    alerts_triggered: i64,
    oks: i64,
    infos: i64,
    warns: i64,
    crits: i64,
}

fn str_v(s: &str) -> TV {
    TV::String(Arc::from(s))
}

fn map_v(m: BTreeMap<Arc<str>, TV>) -> TV {
    TV::Map(Arc::new(m))
}

fn field_v(v: &FieldValue) -> TV {
    match v {
        FieldValue::Float(f) => TV::Float(*f),
        FieldValue::Int(i) => TV::Int(*i),
        FieldValue::UInt(u) => TV::Uint(*u),
        FieldValue::String(s) => str_v(s),
        FieldValue::Bool(b) => TV::Bool(*b),
    }
}

/// The JSON of Kapacitor's `detailsInfo` struct, in Go's field order.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DetailsJson<'a> {
    name: &'a str,
    task_name: &'a str,
    group: &'a str,
    tags: BTreeMap<&'a str, &'a str>,
    server_info: ServerInfoJson<'a>,
    #[serde(rename = "ID")]
    id: &'a str,
    fields: BTreeMap<&'a str, serde_json::Value>,
    level: &'a str,
    time: String,
    duration: i64,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ServerInfoJson<'a> {
    hostname: &'a str,
    #[serde(rename = "ClusterID")]
    cluster_id: &'a str,
    #[serde(rename = "ServerID")]
    server_id: &'a str,
}

impl AlertNode {
    pub(crate) fn new(mut spec: AlertSpec, ctx: &TaskCtx, topic: String) -> Result<Self, String> {
        // Services configured with `global = true` handle every alert node.
        let (globals, state_changes_only) = ctx.alerts.global_handlers(&spec.handlers);
        spec.handlers.extend(globals);
        spec.state_changes_only |= state_changes_only;
        let id_tmpl = GoTemplate::parse("id", &spec.id, TemplateKind::Text)?;
        let message_tmpl = GoTemplate::parse("message", &spec.message, TemplateKind::Text)?;
        let details_tmpl = GoTemplate::parse("details", &spec.details, TemplateKind::Html)?;
        let owner = topic.clone();
        let anon_topic = if spec.handlers.is_empty() {
            None
        } else {
            ctx.alerts.open_topic(&topic, &spec.handlers)?;
            Some(topic)
        };
        Ok(AlertNode {
            spec,
            id_tmpl,
            message_tmpl,
            details_tmpl,
            anon_topic,
            owner,
            alerts_inhibited: 0,
            groups: Default::default(),
            alerts_triggered: 0,
            oks: 0,
            infos: 0,
            warns: 0,
            crits: 0,
        })
    }

    fn id_data(ctx: &TaskCtx, name: &str, group: &str, tags: &Tags) -> BTreeMap<Arc<str>, TV> {
        let tags: BTreeMap<Arc<str>, TV> = tags
            .iter()
            .map(|(k, v)| (Arc::from(k.as_str()), str_v(v)))
            .collect();
        let mut server = BTreeMap::new();
        server.insert(Arc::from("Hostname"), str_v(&ctx.server.hostname));
        server.insert(Arc::from("ClusterID"), str_v(&ctx.server.cluster_id));
        server.insert(Arc::from("ServerID"), str_v(&ctx.server.server_id));
        let mut m = BTreeMap::new();
        m.insert(Arc::from("Name"), str_v(name));
        m.insert(Arc::from("TaskName"), str_v(&ctx.task));
        m.insert(Arc::from("Group"), str_v(group));
        m.insert(Arc::from("Tags"), map_v(tags));
        m.insert(Arc::from("ServerInfo"), map_v(server));
        m
    }

    /// Evaluates the level as Kapacitor's `determineLevel`: escalate first, then honour the
    /// current level's reset expression, then search downwards.
    fn determine_level(
        spec: &AlertSpec,
        gs: &mut GroupState,
        p: &dyn kapa_expr::Scope,
        errors: &mut Vec<String>,
    ) -> Level {
        let current = gs.current() as usize;
        let mut eval = |idx: usize, reset: bool, gs: &mut GroupState| -> Option<bool> {
            let (lambda, states) = if reset {
                (spec.resets[idx].as_ref()?, &mut gs.reset_states)
            } else {
                (spec.levels[idx].as_ref()?, &mut gs.level_states)
            };
            let st = states[idx].get_or_insert_with(|| lambda.new_state());
            match lambda.eval_bool(p, st) {
                Ok(b) => Some(b),
                Err(e) => {
                    errors.push(e.to_string());
                    None
                }
            }
        };
        for l in (current + 1..=3).rev() {
            if eval(l, false, gs) == Some(true) {
                return Level::from_index(l);
            }
        }
        if current > 0 && eval(current, true, gs) == Some(false) {
            return Level::from_index(current);
        }
        for l in (1..=current).rev() {
            if eval(l, false, gs) == Some(true) {
                return Level::from_index(l);
            }
        }
        Level::Ok
    }
}

/// What an emitted event decided, for augmenting the data passed downstream.
struct Fired {
    id: String,
    message: String,
    level: Level,
    duration: i64,
}

impl AlertNode {
    fn ensure_group(
        &mut self,
        ctx: &TaskCtx,
        group: &crate::message::Group,
        name: &str,
        tags: &Tags,
    ) -> Result<(), String> {
        if self.groups.contains_key(&group.id) {
            return Ok(());
        }
        let data = map_v(Self::id_data(ctx, name, group.id.as_str(), tags));
        let id = self.id_tmpl.render(&data)?;
        let history = vec![Level::Ok; self.spec.history.max(2) as usize];
        let mut state = GroupState {
            id,
            history,
            idx: 0,
            flapping: false,
            changed: false,
            expired: false,
            first_triggered: 0,
            last_triggered: 0,
            level_states: Default::default(),
            reset_states: Default::default(),
            last_sent: Level::Ok,
        };
        if let Some(r) = self.restore(ctx, &state.id) {
            state.restore(r);
        }
        self.groups.insert(group.id.clone(), state);
        Ok(())
    }

    /// The event's last state, from the anonymous topic first, then the named one (as
    /// Kapacitor's `restoreEvent`).
    fn restore(&self, ctx: &TaskCtx, id: &str) -> Option<RestoredEvent> {
        let anon = self
            .anon_topic
            .as_deref()
            .and_then(|t| ctx.alerts.restore(t, id));
        anon.or_else(|| {
            (!self.spec.topic.is_empty())
                .then(|| ctx.alerts.restore(&self.spec.topic, id))
                .flatten()
        })
    }

    /// Records `level` in the group's history and, when Kapacitor's rules say an event is
    /// due, renders and publishes it.
    #[allow(clippy::too_many_arguments)]
    fn handle_level(
        &mut self,
        ctx: &TaskCtx,
        group: &GroupId,
        level: Level,
        t: i64,
        name: &str,
        tags: &Tags,
        fields: &Fields,
        data: impl FnOnce() -> SeriesResult,
    ) -> Result<Option<Fired>, String> {
        let spec = &self.spec;
        let Some(gs) = self.groups.get_mut(group) else {
            return Ok(None);
        };
        gs.add_event(level);
        if let Some((low, high)) = spec.flapping {
            let pc = gs.percent_change();
            if gs.flapping && pc < low {
                gs.flapping = false;
            } else if !gs.flapping && pc > high {
                gs.flapping = true;
            }
        }
        gs.expired = !gs.changed
            && spec.state_changes_only_interval != 0
            && t - gs.last_triggered >= spec.state_changes_only_interval;
        // A flapping alert sends nothing, recoveries included.
        let flapping = spec.flapping.is_some() && gs.flapping;
        let recovery = gs.changed && level == Level::Ok;
        let repeat_suppressed = spec.state_changes_only && !gs.changed && !gs.expired;
        let emit = !flapping && (recovery || (level != Level::Ok && !repeat_suppressed));
        if !emit {
            return Ok(None);
        }
        gs.triggered(t);
        if spec.no_recoveries && level == Level::Ok {
            return Ok(None);
        }
        let duration = gs.last_triggered - gs.first_triggered;
        // previousLevel is the level of the last event actually sent for this id.
        let previous = gs.last_sent;
        gs.last_sent = level;
        let id = gs.id.clone();
        let group_text = group.as_str();

        // Kapacitor's default message and details are rendered directly (same output as the
        // templates, see the tests); template data is built only for custom templates.
        let fast_message = spec.message == DEFAULT_MESSAGE;
        let fast_details = spec.details == DEFAULT_DETAILS;
        let mut tdata = BTreeMap::new();
        if !(fast_message && fast_details) {
            tdata = Self::id_data(ctx, name, group_text, tags);
            let tfields: BTreeMap<Arc<str>, TV> = fields
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), field_v(v)))
                .collect();
            tdata.insert(Arc::from("ID"), str_v(&id));
            tdata.insert(Arc::from("Fields"), map_v(tfields));
            tdata.insert(Arc::from("Level"), str_v(level.as_str()));
            tdata.insert(
                Arc::from("Time"),
                str_v(&kapa_models::time::format_go_string(t)),
            );
            tdata.insert(
                Arc::from("Duration"),
                str_v(&kapa_models::duration::format_go(duration)),
            );
        }
        let message = if fast_message {
            format!("{id} is {}", level.as_str())
        } else {
            self.message_tmpl.render(&map_v(tdata.clone()))?
        };
        let details_json = DetailsJson {
            name,
            task_name: &ctx.task,
            group: group_text,
            tags: tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            server_info: ServerInfoJson {
                hostname: &ctx.server.hostname,
                cluster_id: &ctx.server.cluster_id,
                server_id: &ctx.server.server_id,
            },
            id: &id,
            fields: fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_json()))
                .collect(),
            level: level.as_str(),
            time: kapa_models::time::format_rfc3339(t),
            duration,
            message: &message,
        };
        let json = serde_json::to_string(&details_json).map_err(|e| e.to_string())?;
        let details = if fast_details {
            html_escape_go(&json)
        } else {
            tdata.insert(Arc::from("Message"), str_v(&message));
            tdata.insert(Arc::from(JSON_KEY), str_v(&json));
            self.details_tmpl.render(&map_v(tdata))?
        };

        self.alerts_triggered += 1;
        match level {
            Level::Ok => self.oks += 1,
            Level::Info => self.infos += 1,
            Level::Warning => self.warns += 1,
            Level::Critical => self.crits += 1,
        }
        let event = AlertEvent {
            data: AlertData {
                id: id.clone(),
                message: message.clone(),
                details,
                time: kapa_models::time::format_rfc3339(t),
                duration,
                level,
                data: data(),
                previous_level: previous,
                recoverable: !self.spec.no_recoveries,
            },
            time: t,
            task_name: ctx.task.clone(),
            name: name.to_string(),
            group: group_text.to_string(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            category: self.spec.category.clone(),
        };
        // Checked before this node's own inhibitors are updated, as Kapacitor's inhibitors
        // learn of an event only once it is published.
        let inhibited = !self.spec.category.is_empty()
            && ctx.alerts.is_inhibited(&self.spec.category, &event.tags);
        for (category, tag_names) in &self.spec.inhibitors {
            ctx.alerts.update_inhibitor(
                &self.owner,
                category,
                tag_names,
                &id,
                &event.tags,
                level != Level::Ok,
            );
        }
        if inhibited {
            self.alerts_inhibited += 1;
        } else {
            // Shared by every topic and handler queue it goes to: built once, never copied.
            let event = std::sync::Arc::new(event);
            if let Some(topic) = &self.anon_topic {
                ctx.alerts.publish_shared(topic, &event);
            }
            if !self.spec.topic.is_empty() {
                ctx.alerts.publish_shared(&self.spec.topic, &event);
            }
        }
        Ok(Some(Fired {
            id,
            message,
            level,
            duration,
        }))
    }

    fn augments(&self) -> bool {
        let s = &self.spec;
        !(s.level_tag.is_empty()
            && s.id_tag.is_empty()
            && s.level_field.is_empty()
            && s.id_field.is_empty()
            && s.message_field.is_empty()
            && s.duration_field.is_empty())
    }

    fn augment(&self, f: &Fired, fields: &mut Fields, tags: &mut Tags) {
        let s = &self.spec;
        if !s.level_tag.is_empty() {
            tags.insert(s.level_tag.as_str(), f.level.as_str().into());
        }
        if !s.id_tag.is_empty() {
            tags.insert(s.id_tag.as_str(), f.id.as_str().into());
        }
        if !s.level_field.is_empty() {
            fields.insert(
                s.level_field.as_str(),
                FieldValue::String(f.level.as_str().into()),
            );
        }
        if !s.message_field.is_empty() {
            fields.insert(
                s.message_field.as_str(),
                FieldValue::String(f.message.as_str().into()),
            );
        }
        if !s.id_field.is_empty() {
            fields.insert(
                s.id_field.as_str(),
                FieldValue::String(f.id.as_str().into()),
            );
        }
        if !s.duration_field.is_empty() {
            fields.insert(s.duration_field.as_str(), FieldValue::Int(f.duration));
        }
    }
}

impl Node for AlertNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        self.ensure_group(ctx, msg.group, &p.name, &p.tags)?;
        let spec = &self.spec;
        let Some(gs) = self.groups.get_mut(&msg.group.id) else {
            return Ok(Emit::Drop);
        };
        let mut errors = Vec::new();
        let scope = FieldsTagsScope {
            fields: &p.fields,
            tags: &p.tags,
            time: p.time,
        };
        let level = Self::determine_level(spec, gs, &scope, &mut errors);
        let data = || SeriesResult {
            series: Some(vec![super::point_to_row(p)]),
            error: None,
        };
        let fired = self.handle_level(
            ctx,
            &msg.group.id,
            level,
            p.time,
            &p.name,
            &p.tags,
            &p.fields,
            data,
        )?;
        let Some(fired) = fired else {
            return match errors.into_iter().next() {
                Some(e) => Err(e),
                None => Ok(Emit::Drop),
            };
        };
        if !self.augments() {
            return Ok(Emit::Same);
        }
        let mut q = p.clone();
        self.augment(&fired, &mut q.fields, &mut q.tags);
        Ok(Emit::Point {
            point: Some(q),
            group: None,
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        self.ensure_group(ctx, &b.group, &b.name, &b.tags)?;
        if b.points.is_empty() {
            return Ok(Emit::Drop);
        }
        let spec = &self.spec;
        let Some(gs) = self.groups.get_mut(&b.group.id) else {
            return Ok(Emit::Drop);
        };
        let mut errors = Vec::new();
        let mut lowest = Level::Critical;
        let mut highest = Level::Ok;
        let mut highest_idx = 0;
        for (i, p) in b.points.iter().enumerate() {
            let scope = FieldsTagsScope {
                fields: &p.fields,
                tags: &p.tags,
                time: p.time,
            };
            let l = Self::determine_level(spec, gs, &scope, &mut errors);
            lowest = lowest.min(l);
            if l > highest || i == 0 {
                highest = l;
                highest_idx = i;
            }
        }
        let level = if spec.all { lowest } else { highest };
        let hp = &b.points[highest_idx];
        let t = if spec.all || level == Level::Ok {
            b.tmax
        } else {
            hp.time
        };
        let data = || SeriesResult {
            series: Some(vec![super::batch_to_row(b)]),
            error: None,
        };
        let Some(fired) = self.handle_level(
            ctx,
            &b.group.id,
            level,
            t,
            &b.name,
            &b.tags,
            &hp.fields,
            data,
        )?
        else {
            return match errors.into_iter().next() {
                Some(e) => Err(e),
                None => Ok(Emit::Drop),
            };
        };
        if !self.augments() {
            return Ok(Emit::Same);
        }
        let mut out = b.clone();
        let mut tags = out.tags.clone();
        let mut unused = Fields::new();
        self.augment(&fired, &mut unused, &mut tags);
        out.tags = tags;
        for p in &mut out.points {
            self.augment(&fired, &mut p.fields, &mut p.tags);
        }
        Ok(Emit::Batch(out))
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("alerts_inhibited", Stat::Int(self.alerts_inhibited)));
        out.push(("alerts_triggered", Stat::Int(self.alerts_triggered)));
        out.push(("crits_triggered", Stat::Int(self.crits)));
        out.push(("infos_triggered", Stat::Int(self.infos)));
        out.push(("oks_triggered", Stat::Int(self.oks)));
        out.push(("warns_triggered", Stat::Int(self.warns)));
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }

    fn stop(&mut self, ctx: &TaskCtx) {
        if let Some(t) = &self.anon_topic {
            ctx.alerts.close_topic(t);
        }
        if !self.spec.inhibitors.is_empty() {
            ctx.alerts.remove_inhibitors(&self.owner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_details_fast_path_matches_the_html_template() {
        let tmpl = GoTemplate::parse("details", DEFAULT_DETAILS, TemplateKind::Html).unwrap();
        for json in [
            r#"{"Name":"cpu","Message":"a < b & c > d 'q' +1"}"#,
            "{\"x\":\"\u{0}nul é ü\"}",
            r#"{"Tags":{"host":"a"},"Fields":{"v":1.5}}"#,
        ] {
            let mut m = BTreeMap::new();
            m.insert(Arc::from(JSON_KEY), str_v(json));
            assert_eq!(
                html_escape_go(json),
                tmpl.render(&map_v(m)).unwrap(),
                "{json}"
            );
        }
    }

    #[test]
    fn default_message_fast_path_matches_the_text_template() {
        let tmpl = GoTemplate::parse("message", DEFAULT_MESSAGE, TemplateKind::Text).unwrap();
        let mut m = BTreeMap::new();
        m.insert(Arc::from("ID"), str_v("cpu:host=a <&>"));
        m.insert(Arc::from("Level"), str_v("CRITICAL"));
        assert_eq!(
            tmpl.render(&map_v(m)).unwrap(),
            "cpu:host=a <&> is CRITICAL"
        );
    }

    #[test]
    fn defaults_are_the_pipeline_defaults() {
        let d = AlertSpec::default();
        assert_eq!(
            (d.message.as_str(), d.details.as_str()),
            (DEFAULT_MESSAGE, DEFAULT_DETAILS)
        );
    }
}
