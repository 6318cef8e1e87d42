//! Just enough of a JSON scanner to say where things are: the line of every value by its JSON
//! pointer, and the trailing commas that strict parsers refuse (legacy apps have them). Values
//! themselves are parsed by serde_json; this only walks the text.

use std::collections::HashMap;

/// What the scanner found in a text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The 1-based line where each value starts (for members: the line of the key).
    pub lines: HashMap<String, u32>,
    /// Byte offsets and lines of commas directly before a `}` or `]`.
    pub trailing_commas: Vec<(usize, u32)>,
}

impl Scan {
    /// The line of `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<u32> {
        let mut pointer = pointer;
        loop {
            if let Some(line) = self.lines.get(pointer) {
                return Some(*line);
            }
            let (parent, _) = pointer.rsplit_once('/')?;
            pointer = parent;
        }
    }
}

/// Escapes one JSON-pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Object { pointer: String, key: Option<String>, expect_key: bool },
    Array { pointer: String, index: usize },
}

/// Walks `text`, which need not be valid JSON (the scan stops making sense where it is not).
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut scan = Scan::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1u32;
    let mut i = 0usize;
    let mut last_comma: Option<(usize, u32)> = None;
    // Where the value starting now lives.
    let value_pointer = |stack: &mut Vec<Frame>| -> Option<String> {
        match stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Object { pointer, key, expect_key }) => {
                if *expect_key {
                    return None;
                }
                key.take().map(|k| format!("{pointer}/{}", escape(&k)))
            }
            Some(Frame::Array { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                Some(p)
            }
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' | b' ' | b'\t' | b'\r' => {
                line += u32::from(c == b'\n');
                i += 1;
                continue;
            }
            b':' => {}
            b',' => {
                last_comma = Some((i, line));
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
                i += 1;
                continue;
            }
            b'{' | b'[' => {
                let pointer = value_pointer(&mut stack).unwrap_or_default();
                scan.lines.entry(pointer.clone()).or_insert(line);
                stack.push(if c == b'{' {
                    Frame::Object { pointer, key: None, expect_key: true }
                } else {
                    Frame::Array { pointer, index: 0 }
                });
            }
            b'}' | b']' => {
                if let Some(comma) = last_comma {
                    scan.trailing_commas.push(comma);
                }
                stack.pop();
            }
            b'"' => {
                let start_line = line;
                let mut j = i + 1;
                let mut raw = Vec::new();
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' && j + 1 < bytes.len() {
                        raw.push(bytes[j]);
                        j += 1;
                    }
                    if bytes[j] == b'\n' {
                        line += 1;
                    }
                    raw.push(bytes[j]);
                    j += 1;
                }
                let literal = format!("\"{}\"", String::from_utf8_lossy(&raw));
                let content =
                    serde_json::from_str::<String>(&literal).unwrap_or_else(|_| String::from_utf8_lossy(&raw).into());
                match stack.last_mut() {
                    Some(Frame::Object { pointer, key, expect_key }) if *expect_key => {
                        scan.lines.insert(format!("{pointer}/{}", escape(&content)), start_line);
                        *key = Some(content);
                        *expect_key = false;
                    }
                    _ => {
                        if let Some(pointer) = value_pointer(&mut stack) {
                            scan.lines.entry(pointer).or_insert(start_line);
                        }
                    }
                }
                i = j + 1;
                last_comma = None;
                continue;
            }
            _ => {
                // A number or a literal: runs until a delimiter.
                if let Some(pointer) = value_pointer(&mut stack) {
                    scan.lines.entry(pointer).or_insert(line);
                }
                while i + 1 < bytes.len() && !matches!(bytes[i + 1], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
                {
                    i += 1;
                }
            }
        }
        last_comma = None;
        i += 1;
    }
    scan
}

/// `text` without its trailing commas (so serde_json can read it), and where they were.
pub fn without_trailing_commas(text: &str) -> (String, Vec<u32>) {
    let found = scan(text).trailing_commas;
    if found.is_empty() {
        return (text.to_owned(), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (offset, _) in &found {
        out.push_str(&text[from..*offset]);
        from = offset + 1;
    }
    out.push_str(&text[from..]);
    (out, found.into_iter().map(|(_, line)| line).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{
  "displayName": "Hello",
  "params": [
    {
      "name": "a/b",
      "validValues": ["x", "y"]
    },
    { "name": "second", "required": true }
  ],
  "note": "multi\nline \"quoted\""
}"#;

    #[test]
    fn every_value_has_its_line_by_pointer() {
        let scan = scan(TEXT);
        assert_eq!(scan.lines[""], 1);
        assert_eq!(scan.lines["/displayName"], 2);
        assert_eq!(scan.lines["/params"], 3);
        assert_eq!(scan.lines["/params/0"], 4);
        assert_eq!(scan.lines["/params/0/name"], 5);
        assert_eq!(scan.lines["/params/0/validValues/1"], 6);
        assert_eq!(scan.lines["/params/1/required"], 8);
        assert_eq!(scan.lines["/note"], 10);
        assert_eq!(scan.line_of("/params/1/nothing/here"), Some(8));
        assert!(scan.trailing_commas.is_empty());
    }

    #[test]
    fn keys_with_slashes_and_tildes_are_escaped_in_pointers() {
        let scan = scan(r#"{"a/b": {"c~d": 1}}"#);
        assert!(scan.lines.contains_key("/a~1b/c~0d"));
    }

    #[test]
    fn trailing_commas_are_found_and_removed() {
        let text = "{\n  \"a\": [1, 2,],\n  \"b\": 1,\n}";
        let (clean, lines) = without_trailing_commas(text);
        assert_eq!(lines, vec![2, 3]);
        let value: serde_json::Value = serde_json::from_str(&clean).expect("valid after removal");
        assert_eq!(value["a"][1], 2);
    }
}
