//! The criterion results of `crates/engine/benches/shapes.rs` as a Markdown table and an SVG
//! chart of throughput against task count.

use std::fmt::Write as _;
use std::path::Path;

use crate::BenchError;

/// One measured combination.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeResult {
    /// `simple_match`, `count`, ...
    pub shape: String,
    /// Tasks.
    pub tasks: u64,
    /// Points per measurement written.
    pub points: u64,
    /// Mean time of one iteration in ns.
    pub mean_ns: f64,
    /// Point-task deliveries per iteration.
    pub elements: u64,
}

impl ShapeResult {
    /// Deliveries per second.
    pub fn rate(&self) -> f64 {
        self.elements as f64 / (self.mean_ns / 1e9).max(1e-12)
    }
}

/// Parses `T10_P500` into (10, 500).
pub fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (t, p) = id.split_once('_')?;
    Some((
        t.strip_prefix('T')?.parse().ok()?,
        p.strip_prefix('P')?.parse().ok()?,
    ))
}

fn read(path: &Path) -> Result<serde_json::Value, BenchError> {
    let text = std::fs::read_to_string(path).map_err(|source| BenchError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text)
        .map_err(|e| BenchError::Criterion(format!("{}: {e}", path.display())))
}

/// Reads `DIR/shapes/<shape>/<T_P>/new/{estimates,benchmark}.json`.
pub fn load(dir: &Path) -> Result<Vec<ShapeResult>, BenchError> {
    let root = dir.join("shapes");
    let io = |source| BenchError::Io {
        path: root.display().to_string(),
        source,
    };
    let mut out = Vec::new();
    for shape in std::fs::read_dir(&root).map_err(io)?.flatten() {
        let shape_name = shape.file_name().to_string_lossy().to_string();
        let Ok(ids) = std::fs::read_dir(shape.path()) else {
            continue;
        };
        for id in ids.flatten() {
            let Some((tasks, points)) = parse_id(&id.file_name().to_string_lossy()) else {
                continue;
            };
            let new = id.path().join("new");
            if !new.join("estimates.json").exists() {
                continue;
            }
            let est = read(&new.join("estimates.json"))?;
            let bench = read(&new.join("benchmark.json"))?;
            let mean_ns = est["mean"]["point_estimate"]
                .as_f64()
                .ok_or_else(|| BenchError::Criterion(format!("{}: no mean", new.display())))?;
            let elements = bench["throughput"]["Elements"].as_u64().ok_or_else(|| {
                BenchError::Criterion(format!("{}: no element throughput", new.display()))
            })?;
            out.push(ShapeResult {
                shape: shape_name.clone(),
                tasks,
                points,
                mean_ns,
                elements,
            });
        }
    }
    out.sort_by(|a, b| {
        (order(&a.shape), a.points, a.tasks).cmp(&(order(&b.shape), b.points, b.tasks))
    });
    Ok(out)
}

fn order(shape: &str) -> (usize, &str) {
    let known = ["simple_match", "simple_nomatch", "count", "alert", "join"];
    (
        known
            .iter()
            .position(|k| *k == shape)
            .unwrap_or(known.len()),
        shape,
    )
}

fn human_time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

/// The Markdown table.
pub fn table(results: &[ShapeResult]) -> String {
    let mut s = String::from(
        "| shape | tasks T | points P | time per run | deliveries (T x P) | M deliveries/s |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {:.2} |",
            r.shape,
            r.tasks,
            r.points,
            human_time(r.mean_ns),
            r.elements,
            r.rate() / 1e6
        );
    }
    s
}

const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];

/// An SVG line chart: M deliveries/s (log scale) against tasks (log scale), one line per
/// shape, for the points count `p`. `*_nomatch` shapes are left out: their deliveries are
/// nominal (routing skips every task), so they would only stretch the axis.
pub fn svg(results: &[ShapeResult], p: u64) -> String {
    let (w, h, left, right, top, bottom) = (720.0, 420.0, 70.0, 170.0, 40.0, 50.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let sel: Vec<&ShapeResult> = results
        .iter()
        .filter(|r| r.points == p && !r.shape.ends_with("_nomatch"))
        .collect();
    let rates: Vec<f64> = sel
        .iter()
        .map(|r| r.rate() / 1e6)
        .filter(|r| *r > 0.0)
        .collect();
    let lo = rates
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min)
        .max(1e-3)
        .log10()
        .floor();
    let hi = rates
        .iter()
        .cloned()
        .fold(0.0, f64::max)
        .max(1e-3)
        .log10()
        .ceil()
        .max(lo + 1.0);
    let x = |t: u64| left + ((t as f64).log10() - 1.0) / 2.0 * pw;
    let y = |r: f64| top + ph - (r.max(1e-3).log10() - lo) / (hi - lo) * ph;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14">Point-task deliveries per second vs tasks (P = {p} points, in-process, one core)</text>"#,
        w / 2.0
    );
    let mut e = lo as i32;
    while e <= hi as i32 {
        let v = 10f64.powi(e);
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/>"##,
            left + pw
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 6.0,
            yy + 4.0,
            fmt_axis(v)
        );
        e += 1;
    }
    for t in [10u64, 100, 1000] {
        let xx = x(t);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#ddd"/>"##,
            top + ph
        );
        let _ = writeln!(
            s,
            r#"<text x="{xx:.1}" y="{:.1}" text-anchor="middle">{t}</text>"#,
            top + ph + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">tasks (log)</text>"#,
        left + pw / 2.0,
        h - 8.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">M deliveries/s (log)</text>"#,
        top + ph / 2.0
    );
    let mut shapes: Vec<&str> = sel.iter().map(|r| r.shape.as_str()).collect();
    shapes.dedup();
    for (i, shape) in shapes.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<String> = sel
            .iter()
            .filter(|r| r.shape == *shape)
            .map(|r| format!("{:.1},{:.1}", x(r.tasks), y(r.rate() / 1e6)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            pts.join(" ")
        );
        for p in &pts {
            let (cx, cy) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(s, r#"<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"/>"#);
        }
        let ly = top + 10.0 + i as f64 * 20.0;
        let lx = left + pw + 15.0;
        let _ = writeln!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"/>"#,
            lx + 20.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{shape}</text>"#,
            lx + 26.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn fmt_axis(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(shape: &str, tasks: u64, points: u64, mean_ns: f64) -> ShapeResult {
        ShapeResult {
            shape: shape.into(),
            tasks,
            points,
            mean_ns,
            elements: tasks * points,
        }
    }

    #[test]
    fn ids() {
        assert_eq!(parse_id("T10_P500"), Some((10, 500)));
        assert_eq!(parse_id("report"), None);
    }

    #[test]
    fn table_rows() {
        let t = table(&[r("count", 10, 500, 2_500_000.0)]);
        assert!(
            t.ends_with("| count | 10 | 500 | 2.50 ms | 5000 | 2.00 |\n"),
            "{t}"
        );
    }

    #[test]
    fn chart_has_one_line_per_shape() {
        let rs = [
            r("a", 10, 5000, 1e6),
            r("a", 100, 5000, 1e7),
            r("b", 10, 5000, 1e5),
            r("b", 10, 500, 1.0),
        ];
        let s = svg(&rs, 5000);
        assert_eq!(s.matches("<polyline").count(), 2);
        assert_eq!(s.matches("<circle").count(), 3);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
    }

    #[test]
    fn reads_criterion_layout() {
        let dir = std::env::temp_dir().join(format!("kapa-bench-shapes-{}", std::process::id()));
        let new = dir.join("shapes/count/T10_P500/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean":{"point_estimate":1000000.0}}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"throughput":{"Elements":5000}}"#,
        )
        .unwrap();
        let got = load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(got, vec![r("count", 10, 500, 1e6)]);
        assert_eq!(got[0].rate(), 5e6);
    }
}
