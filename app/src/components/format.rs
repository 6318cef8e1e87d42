//! How times and revisions read on the page.

use time::OffsetDateTime;

/// `2026-11-28 08:17 UTC`: the same on the server and in the browser (no local zone, no
/// "3 minutes ago" that would differ between the render and the hydration).
pub fn when(time: &OffsetDateTime) -> String {
    format!("{} {:02}:{:02} UTC", time.date(), time.hour(), time.minute())
}

/// The first 8 characters of a revision.
pub fn short(revision: &str) -> String {
    revision.chars().take(8).collect()
}

/// The first line of a commit message.
pub fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// `value` made safe for a URL query: everything but letters, digits, `-._~/` percent-encoded.
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_revisions_and_subjects_read_short() {
        let t = time::macros::datetime!(2026-11-28 08:07:59 UTC);
        assert_eq!(when(&t), "2026-11-28 08:07 UTC");
        assert_eq!(short("0123456789abcdef"), "01234567");
        assert_eq!(subject("Fix the parser\n\nLonger story"), "Fix the parser");
        assert_eq!(subject(""), "");
        assert_eq!(query_value("lib/my file&x=1#é.py"), "lib/my%20file%26x%3D1%23%C3%A9.py");
    }
}
