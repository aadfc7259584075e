//! Kapacitor's stream recording format (`.srpl`): three lines per point (database,
//! retention policy, line protocol). Recordings made by Kapacitor (and by us) are gzipped
//! with nanosecond timestamps; Kapacitor's test fixtures are plain text with second
//! timestamps. The reader accepts both, telling them apart by the gzip magic bytes.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use kapa_models::{Point, Precision};

/// Points handed to the consumer at most this many at a time.
const CHUNK: usize = 1024;

/// Writes a recording into `<path>.tmp`, renamed to `path` by `finish`, so a reader never
/// sees a half-written file.
#[derive(Debug)]
pub struct SrplWriter {
    out: GzEncoder<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
    line: String,
}

impl SrplWriter {
    /// Creates the temporary file.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp)?;
        Ok(SrplWriter {
            out: GzEncoder::new(BufWriter::new(file), Compression::fast()),
            tmp,
            path: path.to_path_buf(),
            line: String::with_capacity(256),
        })
    }

    /// Appends one point.
    pub fn write(&mut self, db: &str, rp: &str, p: &Point) -> std::io::Result<()> {
        self.line.clear();
        self.line.push_str(db);
        self.line.push('\n');
        self.line.push_str(rp);
        self.line.push('\n');
        kapa_lineproto::format_point(p, Precision::Nanosecond, &mut self.line);
        if !self.line.ends_with('\n') {
            self.line.push('\n');
        }
        self.out.write_all(self.line.as_bytes())
    }

    /// Flushes, syncs and renames the file into place; returns its size in bytes.
    pub fn finish(self) -> std::io::Result<u64> {
        let buffered = self.out.finish()?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(std::fs::metadata(&self.path)?.len())
    }

    /// Removes the temporary file (the recording failed).
    pub fn abandon(self) {
        let tmp = self.tmp.clone();
        drop(self);
        let _ = std::fs::remove_file(tmp);
    }
}

/// Opens a recording: a gzip stream with nanosecond times, or plain text with second times.
fn open(path: &Path) -> std::io::Result<(Box<dyn BufRead>, Precision)> {
    let mut file = BufReader::new(File::open(path)?);
    let gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        (
            Box::new(BufReader::with_capacity(256 * 1024, GzDecoder::new(file))),
            Precision::Nanosecond,
        )
    } else {
        (Box::new(file), Precision::Second)
    })
}

/// Number of points in a recording (three lines each), for progress reports.
pub fn count_points(path: &Path) -> std::io::Result<u64> {
    let (mut r, _) = open(path)?;
    let mut lines = 0u64;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', buf).count() as u64;
        let n = buf.len();
        r.consume(n);
    }
    Ok(lines / 3)
}

/// Reads a recording and hands its points to `each` in runs of the same database and
/// retention policy, in file order. Stops at the first error of `each`.
pub fn read<E: From<String>>(
    path: &Path,
    mut each: impl FnMut(&str, &str, &mut Vec<Point>) -> Result<(), E>,
) -> Result<(), E> {
    let (mut r, precision) =
        open(path).map_err(|e| E::from(format!("reading {}: {e}", path.display())))?;
    let mut parser = kapa_lineproto::Parser::new();
    let (mut db, mut rp) = (String::new(), String::new());
    let (mut next_db, mut next_rp) = (Vec::new(), Vec::new());
    let mut body: Vec<u8> = Vec::with_capacity(CHUNK * 128);
    let mut lines = 0usize;
    let mut line = Vec::new();
    let mut points = Vec::with_capacity(CHUNK);
    let mut flush = |db: &str, rp: &str, body: &mut Vec<u8>, points: &mut Vec<Point>| {
        if body.is_empty() {
            return Ok(());
        }
        let errors = parser.parse_points(body, precision, 0, points);
        body.clear();
        if let Some(e) = errors.first() {
            return Err(E::from(format!("invalid point in recording: {e}")));
        }
        let r = each(db, rp, points);
        points.clear();
        r
    };
    loop {
        next_db.clear();
        let n = read_line(&mut r, &mut next_db, path)?;
        if n == 0 {
            break;
        }
        if trim(&next_db).is_empty() {
            continue; // a trailing blank line
        }
        next_rp.clear();
        line.clear();
        if read_line(&mut r, &mut next_rp, path)? == 0 || read_line(&mut r, &mut line, path)? == 0 {
            return Err(E::from(format!(
                "invalid recording {}: incomplete point at the end",
                path.display()
            )));
        }
        let (ndb, nrp) = (trim(&next_db), trim(&next_rp));
        if ndb != db.as_bytes() || nrp != rp.as_bytes() || lines >= CHUNK {
            flush(&db, &rp, &mut body, &mut points)?;
            lines = 0;
            db = String::from_utf8_lossy(ndb).into_owned();
            rp = String::from_utf8_lossy(nrp).into_owned();
        }
        body.extend_from_slice(trim(&line));
        body.push(b'\n');
        lines += 1;
    }
    flush(&db, &rp, &mut body, &mut points)
}

fn read_line<E: From<String>>(
    r: &mut Box<dyn BufRead>,
    buf: &mut Vec<u8>,
    path: &Path,
) -> Result<usize, E> {
    r.read_until(b'\n', buf)
        .map_err(|e| E::from(format!("reading {}: {e}", path.display())))
}

fn trim(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a file is gzip-compressed (a Kapacitor-made recording).
pub fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == [0x1f, 0x8b]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(path: &Path) -> Result<Vec<(String, String, Point)>, String> {
        let mut out = Vec::new();
        read::<String>(path, |db, rp, pts| {
            for p in pts.drain(..) {
                out.push((db.to_string(), rp.to_string(), p));
            }
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn round_trip_is_gzip_with_ns_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.srpl");
        let mut pts = Vec::new();
        kapa_lineproto::parse_points(
            b"cpu,host=a value=1 1000000001\nmem free=2i 2000000002\n",
            Precision::Nanosecond,
            0,
            &mut pts,
        );
        let mut w = SrplWriter::create(&path).unwrap();
        w.write("db", "rp", &pts[0]).unwrap();
        w.write("db2", "autogen", &pts[1]).unwrap();
        assert!(!path.exists(), "nothing visible before finish");
        let size = w.finish().unwrap();
        assert!(size > 0);
        assert!(is_gzip(&path));
        assert!(!dir.path().join("r.srpl.tmp").exists());
        let got = collect(&path).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("db", "rp"));
        assert_eq!(got[0].2.time, 1_000_000_001);
        assert_eq!((got[1].0.as_str(), got[1].1.as_str()), ("db2", "autogen"));
        assert_eq!(got[1].2.time, 2_000_000_002);
    }

    #[test]
    fn plain_text_fixture_has_second_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.srpl");
        std::fs::write(
            &path,
            "dbname\nrpname\ncpu,type=idle,host=serverA value=97.1 0000000001\ndbname\nrpname\ncpu,type=idle,host=serverB value=97.1 0000000002\n",
        )
        .unwrap();
        let got = collect(&path).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].2.time, 2_000_000_000);
    }

    #[test]
    fn truncated_and_bad_points_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.srpl");
        std::fs::write(&path, "db\nrp\n").unwrap();
        assert!(collect(&path).unwrap_err().contains("incomplete point"));
        std::fs::write(&path, "db\nrp\nnot a point\n").unwrap();
        assert!(collect(&path).unwrap_err().contains("invalid point"));
        assert!(collect(&dir.path().join("missing.srpl")).is_err());
    }
}
