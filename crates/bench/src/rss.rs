//! Peak resident memory of a process, from `/proc/PID/status`.

/// The value in kB of a `Key:   123 kB` line of a `/proc/PID/status` text.
pub fn status_kb(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Peak RSS (`VmHWM`) of a live process in kB.
pub fn peak_rss_kb(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_kb(&text, "VmHWM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vmhwm() {
        let s = "Name:\tx\nVmPeak:\t  99 kB\nVmHWM:\t    1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(status_kb(s, "VmHWM"), Some(1234));
        assert_eq!(status_kb(s, "VmRSS"), Some(1000));
        assert_eq!(status_kb(s, "VmSwap"), None);
    }

    #[test]
    fn own_process_has_a_peak() {
        assert!(peak_rss_kb(std::process::id()).is_some_and(|kb| kb > 0));
    }
}
