//! `kapacitor service-tests <name|pattern>...` and `kapacitor list service-tests
//! [pattern...]`, with Kapacitor's output layout.

use super::Ctx;
use crate::client::{ServiceTest, ServiceTestResult};
use crate::failure::Failure;
use crate::gofmt::pad;

/// The `list service-tests` table: a header and one name per line.
pub fn format_list(services: &[ServiceTest]) -> String {
    let mut out = String::from("Service Name\n");
    for s in services {
        out.push_str(&s.name);
        out.push('\n');
    }
    out
}

/// The `service-tests` table: 20-wide names, 10-wide results, then the message.
pub fn format_results(rows: &[(ServiceTest, ServiceTestResult)]) -> String {
    let row = |name: &str, success: &str, message: &str| {
        format!("{}{}{message}\n", pad(name, 20), pad(success, 10))
    };
    let mut out = row("Service", "Success", "Message");
    for (s, r) in rows {
        out.push_str(&row(
            &s.name,
            if r.success { "true" } else { "false" },
            &r.message,
        ));
    }
    out
}

/// Runs `list service-tests`; no pattern lists every service.
pub fn list(ctx: &Ctx, patterns: &[String]) -> Result<(), Failure> {
    let all = [String::new()];
    let patterns = if patterns.is_empty() {
        &all[..]
    } else {
        patterns
    };
    let mut services = Vec::new();
    for p in patterns {
        services.extend(ctx.client.list_service_tests(p)?.services);
    }
    print!("{}", format_list(&services));
    Ok(())
}

/// Runs `service-tests`: every service matching the names or patterns is tested with
/// its default options, then the results are printed.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    if args.is_empty() {
        return Err(anyhow::anyhow!("must provide at least one service name or pattern.").into());
    }
    let mut services = Vec::new();
    for p in args {
        services.extend(ctx.client.list_service_tests(p)?.services);
    }
    let mut rows = Vec::with_capacity(services.len());
    for s in services {
        let r = ctx.client.do_service_test(&s.link.href)?;
        rows.push((s, r));
    }
    print!("{}", format_results(&rows));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Link;

    fn svc(name: &str) -> ServiceTest {
        ServiceTest {
            link: Link {
                rel: "self".into(),
                href: format!("/kapacitor/v1/service-tests/{name}"),
            },
            name: name.into(),
        }
    }

    #[test]
    fn layouts_match_kapacitor() {
        assert_eq!(
            format_list(&[svc("slack"), svc("smtp")]),
            "Service Name\nslack\nsmtp\n"
        );
        let rows = vec![
            (
                svc("slack"),
                ServiceTestResult {
                    success: true,
                    message: String::new(),
                },
            ),
            (
                svc("teams"),
                ServiceTestResult {
                    success: false,
                    message: "service is not enabled".into(),
                },
            ),
        ];
        assert_eq!(
            format_results(&rows),
            "Service             Success   Message\n\
             slack               true      \n\
             teams               false     service is not enabled\n"
        );
    }
}
