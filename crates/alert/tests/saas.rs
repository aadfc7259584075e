//! The SaaS handlers against a local HTTP server: the exact method, path, headers and
//! JSON body Kapacitor sends, disabled services, and which failures are retried.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{RESULT_JSON, WAIT, event, http_server, run, service, spec};
use kapa_engine::{AlertSink, Level};
use serde_json::json;

/// `s` as a JSON string literal with Go's escaping (for nested JSON documents).
fn go_str(s: &str) -> String {
    kapa_alert::to_go_json(&s).unwrap()
}

#[test]
fn slack_posts_the_attachment_to_the_workspace_url() {
    let (addr, rx) = http_server(vec![("200 OK", "ok")]);
    let svc = service(json!({"slack": [{
        "enabled": true, "default": true, "workspace": "",
        "url": format!("http://{addr}/services/T/B/X"), "token": "",
        "channel": "#alerts", "username": "kapacitor", "icon-emoji": ""}]}));
    run(
        &svc,
        spec("slack", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/services/T/B/X")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        "{\"as_user\":false,\"attachments\":[{\"fallback\":\"cpu:nil is CRITICAL\",\"color\":\"danger\",\"text\":\"cpu:nil is CRITICAL\",\"mrkdwn_in\":[\"text\"]}],\"channel\":\"#alerts\",\"icon_emoji\":\"\",\"text\":\"\",\"username\":\"kapacitor\"}\n"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
}

#[test]
fn slack_handler_options_and_token_and_named_workspace() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(json!({"slack": [
        {"enabled": true, "default": true, "workspace": "main", "url": "http://127.0.0.1:1/x", "channel": "#a", "username": "k"},
        {"enabled": true, "workspace": "other", "url": format!("http://{addr}/hook"),
         "token": "xoxb-1", "channel": "#b", "username": "k2", "icon-emoji": ":x:"}]}));
    run(
        &svc,
        spec(
            "slack",
            json!({"workspace": "other", "channel": "#ops", "username": "bot"}),
        ),
        &[event("cpu:nil", Level::Warning)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(r.path, "/hook");
    assert_eq!(r.header("authorization"), Some("Bearer xoxb-1"));
    assert_eq!(
        r.body,
        "{\"as_user\":false,\"attachments\":[{\"fallback\":\"cpu:nil is WARNING\",\"color\":\"warning\",\"text\":\"cpu:nil is WARNING\",\"mrkdwn_in\":[\"text\"]}],\"channel\":\"#ops\",\"icon_emoji\":\":x:\",\"text\":\"\",\"username\":\"bot\"}\n"
    );
}

#[test]
fn disabled_service_and_unknown_workspace_fail_without_a_request() {
    let svc = service(json!({"slack": [{"enabled": false, "url": "http://127.0.0.1:1/x"}]}));
    run(
        &svc,
        spec("slack", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (0, 1, 0));

    let svc = service(
        json!({"slack": [{"enabled": true, "workspace": "a", "url": "http://127.0.0.1:1/x"}]}),
    );
    run(
        &svc,
        spec("slack", json!({"workspace": "b"})),
        &[event("cpu:nil", Level::Critical)],
    );
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (0, 1, 0));
}

#[test]
fn server_errors_are_retried_and_client_errors_are_not() {
    let (addr, rx) = http_server(vec![
        ("503 Service Unavailable", ""),
        ("200 OK", ""),
        ("400 Bad Request", "{\"error\":\"invalid_payload\"}"),
    ]);
    let svc = service(json!({"slack": [{"enabled": true, "url": format!("http://{addr}/x")}]}));
    run(
        &svc,
        spec("slack", json!({})),
        &[event("a", Level::Critical), event("b", Level::Critical)],
    );
    for _ in 0..3 {
        rx.recv_timeout(WAIT).unwrap();
    }
    let s = &svc.handler_stats()[0];
    assert_eq!((s.sent, s.failed, s.retried), (1, 1, 1));
}

#[test]
fn teams_posts_a_message_card() {
    let (addr, rx) = http_server(vec![("200 OK", "1")]);
    let svc = service(
        json!({"teams": {"enabled": true, "channel-url": format!("http://{addr}/webhook/abc")}}),
    );
    run(
        &svc,
        spec("teams", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/webhook/abc")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        r#"{"@type":"MessageCard","@context":"http://schema.org/extensions","title":"CRITICAL: [cpu:nil]","text":"cpu:nil is CRITICAL","summary":"CRITICAL: [cpu:nil] - cpu:nil is CRITICAL...","themeColor":"CC4A31"}"#
    );
}

#[test]
fn telegram_sends_message_to_bot_url() {
    let (addr, rx) = http_server(vec![("200 OK", "{\"ok\":true}")]);
    let svc = service(
        json!({"telegram": {"enabled": true, "url": format!("http://{addr}/bot"),
        "token": "123:ABC", "chat-id": "-42", "parse-mode": "Markdown",
        "disable-web-page-preview": false, "disable-notification": false}}),
    );
    run(
        &svc,
        spec("telegram", json!({"disable-web-page-preview": true})),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/bot123:ABC/sendMessage")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        "{\"chat_id\":\"-42\",\"disable_web_page_preview\":true,\"parse_mode\":\"Markdown\",\"text\":\"cpu:nil is CRITICAL\"}\n"
    );
}

#[test]
fn pagerduty_v1_trigger_and_resolve() {
    let (addr, rx) = http_server(vec![("200 OK", ""), ("200 OK", "")]);
    let svc = service(
        json!({"pagerduty": {"enabled": true, "url": format!("http://{addr}/generic/2010-04-15/create_event.json"), "service-key": "SK"}}),
    );
    run(
        &svc,
        spec("pagerduty", json!({})),
        &[
            event("cpu:nil", Level::Critical),
            event("cpu:nil", Level::Ok),
        ],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/generic/2010-04-15/create_event.json")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        "{\"client\":\"kapacitor\",\"client_url\":\"http://localhost:9092\",\"description\":\"cpu:nil is CRITICAL\",\"details\":\"{\\u0026#34;Name\\u0026#34;:\\u0026#34;cpu\\u0026#34;}\",\"event_type\":\"trigger\",\"incident_key\":\"cpu:nil\",\"service_key\":\"SK\"}\n"
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert!(r.body.contains("\"event_type\":\"resolve\""), "{}", r.body);
}

#[test]
fn pagerduty2_trigger_with_links_and_resolve() {
    let (addr, rx) = http_server(vec![("202 Accepted", ""), ("202 Accepted", "")]);
    let svc = service(
        json!({"pagerduty2": {"enabled": true, "url": format!("http://{addr}/v2/enqueue"), "routing-key": "CFG"}}),
    );
    run(
        &svc,
        spec(
            "pagerduty2",
            json!({"routing-key": "RK", "links": [{"href": "http://h/{{ .ID }}", "text": "{{ .Name }}"}, {"href": "http://x"}]}),
        ),
        &[
            event("cpu:nil", Level::Critical),
            event("cpu:nil", Level::Ok),
        ],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v2/enqueue")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("accept"),
        Some("application/vnd.pagerduty+json;version=2")
    );
    assert_eq!(
        r.body,
        format!(
            "{{\"routing_key\":\"RK\",\"event_action\":\"trigger\",\"dedup_key\":\"cpu:nil\",\"payload\":{{\"summary\":\"cpu:nil is CRITICAL\",\"source\":\"a\",\"severity\":\"critical\",\"timestamp\":\"1971-01-01T00:00:02.000000000Z\",\"class\":\"cpu_alert\",\"component\":\"\",\"group\":\"\",\"custom_details\":{{\"result\":{RESULT_JSON}}}}},\"images\":null,\"links\":[{{\"href\":\"http://h/cpu:nil\",\"text\":\"cpu\"}},{{\"href\":\"http://x\",\"text\":\"http://x\"}}],\"client\":\"kapacitor\",\"client_url\":\"http://localhost:9092\"}}\n"
        )
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        r.body,
        "{\"routing_key\":\"RK\",\"dedup_key\":\"cpu:nil\",\"event_action\":\"resolve\"}\n"
    );
}

#[test]
fn victorops_posts_to_api_key_and_routing_key() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(
        json!({"victorops": {"enabled": true, "url": format!("http://{addr}/integrations/generic/20131114/alert"), "api-key": "API", "routing-key": "CFG", "json-data": false}}),
    );
    run(
        &svc,
        spec("victorops", json!({"routing-key": "RK"})),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/integrations/generic/20131114/alert/API/RK")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        format!(
            "{{\"data\":{},\"entity_id\":\"cpu:nil\",\"message_type\":\"CRITICAL\",\"monitoring_tool\":\"kapacitor\",\"state_message\":\"cpu:nil is CRITICAL\",\"timestamp\":31536002}}\n",
            go_str(RESULT_JSON)
        )
    );
}

#[test]
fn opsgenie2_creates_then_adds_a_note_on_recovery() {
    let (addr, rx) = http_server(vec![("202 Accepted", ""), ("202 Accepted", "")]);
    let svc = service(
        json!({"opsgenie2": {"enabled": true, "url": format!("http://{addr}/v2/alerts"),
        "api-key": "KEY", "teams": ["ops"], "recipients": [], "recovery_action": "notes"}}),
    );
    run(
        &svc,
        spec("opsgenie2", json!({"recipients-list": ["bob"]})),
        &[
            event("cpu:nil", Level::Critical),
            event("cpu:nil", Level::Ok),
        ],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v2/alerts"));
    assert_eq!(r.header("authorization"), Some("GenieKey KEY"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        format!(
            "{{\"alias\":\"Y3B1Om5pbA==\",\"description\":{},\"details\":{{\"Kapacitor Task Name\":\"cpu\",\"Level\":\"CRITICAL\",\"Monitoring Tool\":\"Kapacitor\",\"host\":\"a\"}},\"entity\":\"cpu:nil\",\"message\":\"cpu:nil is CRITICAL\",\"note\":\"\",\"priority\":\"P1\",\"responders\":[{{\"name\":\"ops\",\"type\":\"team\"}},{{\"type\":\"user\",\"username\":\"bob\"}}]}}\n",
            go_str(RESULT_JSON)
        )
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(r.path, "/v2/alerts/Y3B1Om5pbA==/notes?identifierType=alias");
    assert_eq!(r.body, "{\"note\":\"cpu:nil is OK\"}\n");
}

#[test]
fn discord_posts_an_embed_with_a_title_template() {
    let (addr, rx) = http_server(vec![("204 No Content", "")]);
    let svc = service(
        json!({"discord": [{"enabled": true, "default": true, "workspace": "",
        "url": format!("http://{addr}/api/webhooks/1/x"), "timestamp": true,
        "username": "Kapacitor", "avatar-url": "http://a/x.png", "embed-title": "Kapacitor Alert"}]}),
    );
    run(
        &svc,
        spec(
            "discord",
            json!({"embed-title": "{{ .Level }} on {{ index .Tags \"host\" }}"}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/webhooks/1/x")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        "{\"avatar_url\":\"http://a/x.png\",\"embeds\":[{\"color\":16342867,\"title\":\"CRITICAL on a\",\"description\":\"cpu:nil is CRITICAL\",\"timestamp\":\"1971-01-01T00:00:02Z\"}],\"username\":\"Kapacitor\"}\n"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
}

#[test]
fn alerta_posts_to_the_alert_endpoint_with_templates_and_defaults() {
    let (addr, rx) = http_server(vec![("201 Created", "{\"status\":\"ok\"}")]);
    let svc = service(
        json!({"alerta": {"enabled": true, "url": format!("http://{addr}/api"),
        "token": "T", "token-prefix": "Key", "environment": "Production", "origin": "kapacitor", "timeout": "0s"}}),
    );
    run(
        &svc,
        spec(
            "alerta",
            json!({"resource": "{{ index .Tags \"host\" }}", "value": "{{ index .Fields \"usage_idle\" }}",
                   "service": ["{{ .Name }}-svc"], "timeout": 3_600_000_000_000_i64}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/alert"));
    assert_eq!(r.header("authorization"), Some("Key T"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        format!(
            "{{\"environment\":\"Production\",\"event\":\"cpu:nil\",\"group\":\"nil\",\"origin\":\"kapacitor\",\"rawData\":{RESULT_JSON},\"resource\":\"a\",\"service\":[\"cpu-svc\"],\"severity\":\"critical\",\"tags\":[\"host=a\"],\"text\":\"cpu:nil is CRITICAL\",\"timeout\":3600,\"value\":\"50\"}}\n"
        )
    );
}

#[test]
fn pushover_sends_a_sorted_form_with_priority() {
    let (addr, rx) = http_server(vec![("200 OK", "{\"status\":1}")]);
    let svc = service(
        json!({"pushover": {"enabled": true, "url": format!("http://{addr}/1/messages.json"),
        "token": "TOK", "user-key": "USER"}}),
    );
    run(
        &svc,
        spec(
            "pushover",
            json!({"title": "Kapacitor alert", "sound": "siren", "url": "http://x/?a=b"}),
        ),
        &[event("cpu:nil", Level::Warning)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/1/messages.json")
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        r.body,
        "message=cpu%3Anil+is+WARNING&priority=0&sound=siren&title=Kapacitor+alert&token=TOK&url=http%3A%2F%2Fx%2F%3Fa%3Db&user=USER"
    );
}

#[test]
fn sensu_writes_the_check_result_and_reads_ok() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        // The check result is one JSON line.
        while s.read(&mut byte).unwrap() == 1 {
            buf.push(byte[0]);
            if byte[0] == b'\n' {
                break;
            }
        }
        s.write_all(b"ok").unwrap();
        tx.send(String::from_utf8(buf).unwrap()).unwrap();
    });
    let svc = service(
        json!({"sensu": {"enabled": true, "addr": addr, "source": "Kapacitor", "handlers": ["default"]}}),
    );
    run(
        &svc,
        spec(
            "sensu",
            json!({"source": "{{ index .Tags \"host\" }}", "metadata": {"runbook": "r1", "status": "x"}}),
        ),
        &[event("cpu_nil", Level::Warning)],
    );
    assert_eq!(
        rx.recv_timeout(WAIT).unwrap(),
        "{\"handlers\":[\"default\"],\"name\":\"cpu_nil\",\"output\":\"cpu_nil is WARNING\",\"runbook\":\"r1\",\"source\":\"a\",\"status\":1}\n"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
}

#[test]
fn opsgenie_v1_alert_then_recovery_url() {
    let (addr, rx) = http_server(vec![("200 OK", ""), ("200 OK", "")]);
    let svc = service(json!({"opsgenie": {"enabled": true, "api-key": "KEY",
        "url": format!("http://{addr}/v1/json/alert"), "recovery_url": format!("http://{addr}/v1/json/alert/note"),
        "teams": ["ops"], "recipients": []}}));
    run(
        &svc,
        spec("opsgenie", json!({})),
        &[
            event("cpu:nil", Level::Critical),
            event("cpu:nil", Level::Ok),
        ],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v1/json/alert/")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        format!(
            "{{\"alias\":\"cpu:nil\",\"apiKey\":\"KEY\",\"description\":{},\"details\":{{\"Level\":\"CRITICAL\",\"Monitoring Tool\":\"Kapacitor\"}},\"entity\":\"cpu:nil\",\"message\":\"cpu:nil is CRITICAL\",\"monitoring_tool\":\"kapacitor\",\"note\":\"\",\"teams\":[\"ops\"]}}\n",
            go_str(RESULT_JSON)
        )
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(r.path, "/v1/json/alert/note/");
    assert!(r.body.contains("\"note\":\"cpu:nil is OK\""), "{}", r.body);
    assert!(r.body.contains("\"Level\":\"RECOVERY\""), "{}", r.body);
}

#[test]
fn hipchat_notifies_the_room_with_the_token_in_the_query() {
    let (addr, rx) = http_server(vec![("204 No Content", "")]);
    let svc = service(
        json!({"hipchat": {"enabled": true, "url": format!("http://{addr}/v2/room"), "room": "ops", "token": "T0K"}}),
    );
    run(
        &svc,
        spec("hipchat", json!({"room": "alerts"})),
        &[event("cpu:nil", Level::Warning)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v2/room/alerts/notification?auth_token=T0K")
    );
    assert_eq!(
        r.body,
        "{\"color\":\"yellow\",\"from\":\"kapacitor\",\"message\":\"cpu:nil is WARNING\",\"notify\":true}\n"
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
}

#[test]
fn talk_posts_title_and_text() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(
        json!({"talk": {"enabled": true, "url": format!("http://{addr}/v2/services/webhook/x"), "author_name": "Kapacitor"}}),
    );
    run(
        &svc,
        spec("talk", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v2/services/webhook/x")
    );
    assert_eq!(
        r.body,
        "{\"authorName\":\"Kapacitor\",\"text\":\"cpu:nil is CRITICAL\",\"title\":\"cpu:nil\"}\n"
    );
}

#[test]
fn bigpanda_posts_the_alert_with_tag_attributes() {
    let (addr, rx) = http_server(vec![("201 Created", "")]);
    let svc = service(
        json!({"bigpanda": {"enabled": true, "url": format!("http://{addr}/data/v2/alerts"),
        "app-key": "APP", "token": "TOK", "auto-attributes": "tags"}}),
    );
    run(
        &svc,
        spec(
            "bigpanda",
            json!({"primary-property": "host", "attributes": {"team": "ops"}}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/data/v2/alerts")
    );
    assert_eq!(r.header("authorization"), Some("Bearer TOK"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.body,
        "{\"app_key\":\"APP\",\"check\":\"cpu:nil\",\"description\":\"cpu:nil is CRITICAL\",\"host\":\"a\",\"primary_property\":\"host\",\"status\":\"critical\",\"task\":\"cpu_alert:cpu\",\"team\":\"ops\",\"timestamp\":31536002}\n"
    );
}

#[test]
fn servicenow_posts_one_record_with_basic_auth() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(
        json!({"servicenow": {"enabled": true, "url": format!("http://{addr}/api/global/em/jsonv2"),
        "source": "Kapacitor", "username": "u", "password": "p"}}),
    );
    run(
        &svc,
        spec(
            "servicenow",
            json!({"node": "{{ index .Tags \"host\" }}", "type": "CPU", "resource": "{{ .Name }}",
                   "metric_name": "usage_idle", "additional_info": {"value": "{{ index .Fields \"usage_idle\" }}"}}),
        ),
        &[event("cpu:nil", Level::Warning)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/global/em/jsonv2")
    );
    assert_eq!(r.header("authorization"), Some("Basic dTpw"));
    assert_eq!(
        r.body,
        "{\"records\":[{\"source\":\"Kapacitor\",\"node\":\"a\",\"type\":\"CPU\",\"resource\":\"cpu\",\"metric_name\":\"usage_idle\",\"message_key\":\"cpu:nil\",\"severity\":\"4\",\"description\":\"cpu:nil is WARNING\",\"additional_info\":\"{\\\"value\\\":\\\"50\\\"}\"}]}"
    );
}

#[test]
fn zenoss_sends_the_router_call_with_mapped_severity() {
    let (addr, rx) = http_server(vec![("200 OK", "")]);
    let svc = service(
        json!({"zenoss": {"enabled": true, "url": format!("http://{addr}/zport/dmd/evconsole_router"),
        "username": "", "password": "", "action": "EventsRouter", "method": "add_event", "type": "rpc", "tid": 1,
        "collector": "Kapacitor", "severity-map": {"OK": "Clear", "Info": "Info", "Warning": "Warning", "Critical": "Critical"}}}),
    );
    run(
        &svc,
        spec(
            "zenoss",
            json!({"device": "{{ index .Tags \"host\" }}", "component": "cpu", "customField": {"run": "{\"a\":1}"}}),
        ),
        &[event("cpu:nil", Level::Critical)],
    );
    let r = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/zport/dmd/evconsole_router")
    );
    assert_eq!(r.header("authorization"), None);
    assert_eq!(
        r.body,
        "{\"action\":\"EventsRouter\",\"method\":\"add_event\",\"data\":[{\"collector\":\"Kapacitor\",\"component\":\"cpu\",\"device\":\"a\",\"evclass\":\"\",\"evclasskey\":\"\",\"run\":{\"a\":1},\"severity\":\"Critical\",\"summary\":\"cpu:nil is CRITICAL\"}],\"type\":\"rpc\",\"tid\":1}"
    );
}

#[test]
fn an_unreadable_ssl_ca_fails_handler_creation() {
    let svc = service(
        json!({"slack": [{"enabled": true, "url": "https://127.0.0.1:1/x",
        "ssl-ca": "/nonexistent/ca.pem"}]}),
    );
    let err = svc
        .open_topic("t", &[spec("slack", json!({}))])
        .unwrap_err();
    assert!(
        err.starts_with(
            "failed to create slack handler: failed to read ssl-ca \"/nonexistent/ca.pem\""
        ),
        "{err}"
    );
}

/// An HTTPS server (Python's http.server with the test certificate) that appends
/// "path body" of each POST to a file; stopped on drop.
struct HttpsSink(std::process::Child);

impl Drop for HttpsSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const HTTPS_SINK: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[1], "ab") as f:
            f.write(self.path.encode() + b" " + body)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;

#[test]
fn slack_over_https_trusts_the_workspace_ssl_ca() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    if !common::certificates(dir.path()) {
        println!("SKIP: the openssl CLI is needed to make test certificates");
        return;
    }
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_string();
    let out = p("requests.txt");
    let mut child = std::process::Command::new("python3")
        .args(["-c", HTTPS_SINK, &out, &p("server.pem"), &p("server.key")])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _sink = HttpsSink(child);
    let mut port = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut port)
        .unwrap();
    let url = format!("https://127.0.0.1:{}/services/x", port.trim());
    let svc = service(json!({"slack": [{"enabled": true, "url": url, "ssl-ca": p("ca.pem")}]}));
    run(
        &svc,
        spec("slack", json!({})),
        &[event("cpu:nil", Level::Critical)],
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
    let got = std::fs::read_to_string(&out).unwrap();
    assert!(got.starts_with("/services/x {\"as_user\":false,"), "{got}");

    // Without the CA the certificate is not trusted: nothing is sent.
    let svc = service(json!({"slack": [{"enabled": true, "url": url}]}));
    svc.open_topic("t", &[spec("slack", json!({}))]).unwrap();
    svc.publish("t", &event("cpu:nil", Level::Critical));
    let deadline = std::time::Instant::now() + WAIT;
    while svc.handler_stats()[0].failed + svc.handler_stats()[0].retried == 0 {
        assert!(std::time::Instant::now() < deadline, "no failed attempt");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(svc.handler_stats()[0].sent, 0);
}
