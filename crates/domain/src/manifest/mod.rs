//! The app's metadata files — install.json, layout.json, tcex.json — as documents the IDE can
//! read, check and edit without losing anything.
//!
//! - [`Document`]: a parsed JSON file that keeps unknown keys and key order (serde_json with
//!   `preserve_order`), edited by pointer ([`Document::set`], [`Document::remove`],
//!   [`Document::insert`], [`Document::move_item`]) and written back with the file's indentation.
//! - [`model`]: typed, lenient views for forms and rules.
//! - [`validate()`]: every rule, one list of [`Problem`]s with stable codes, JSON pointers, lines
//!   and mechanical fixes. The browser runs it on every keystroke (this crate builds for wasm32),
//!   the server for `GET .../problems`, the build, and `appbuilder validate`.

mod clause;
pub mod contract;
pub mod display;
pub mod json;
pub mod model;
pub mod python_contract;
pub mod sql;
mod validate;

pub use validate::{Files, validate};

use crate::problem::{Edit, Fix};
use serde_json::Value;
use std::collections::BTreeMap;

/// A JSON file that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// A parsed JSON file; writing it back keeps key order and unknown keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub value: Value,
    indent: usize,
    /// Lines of trailing commas the parse forgave (legacy files have them).
    pub trailing_commas: Vec<u32>,
}

impl Document {
    /// Reads `text`, forgiving trailing commas (they are listed in `trailing_commas`).
    pub fn parse(text: &str) -> Result<Document, SyntaxError> {
        let (clean, trailing_commas) = json::without_trailing_commas(text);
        let value = serde_json::from_str(&clean).map_err(|err| SyntaxError {
            line: err.line() as u32,
            column: err.column() as u32,
            message: err.to_string(),
        })?;
        Ok(Document { value, indent: detect_indent(text), trailing_commas })
    }

    /// A new document holding `value`, indented by two spaces (as tcex-cli writes).
    pub fn new(value: Value) -> Document {
        Document { value, indent: 2, trailing_commas: Vec::new() }
    }

    /// The text of the document, with the original indentation and a final newline.
    pub fn to_text(&self) -> String {
        use serde::Serialize;
        let indent = " ".repeat(self.indent);
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        self.value.serialize(&mut serializer).expect("a JSON value always serialises");
        let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
        text.push('\n');
        text
    }

    /// Sets the value at `pointer`, making missing object members on the way; an array index
    /// may name an existing element or the end (to append).
    pub fn set(&mut self, pointer: &str, value: Value) -> Result<(), String> {
        let (parent, last) = split(pointer)?;
        let target = ensure(&mut self.value, &parent)?;
        if target.is_null() {
            *target = Value::Object(serde_json::Map::new());
        }
        match target {
            Value::Object(map) => {
                map.insert(last, value);
                Ok(())
            }
            Value::Array(items) => {
                let index = index(&last, items.len() + 1)?;
                if index == items.len() {
                    items.push(value);
                } else {
                    items[index] = value;
                }
                Ok(())
            }
            _ => Err(format!("{parent} is not an object or an array")),
        }
    }

    /// Removes the value at `pointer` (keeping the order of the rest); returns it.
    pub fn remove(&mut self, pointer: &str) -> Option<Value> {
        let (parent, last) = split(pointer).ok()?;
        match self.value.pointer_mut(&parent)? {
            Value::Object(map) => map.shift_remove(&last),
            Value::Array(items) => {
                let index = index(&last, items.len()).ok()?;
                Some(items.remove(index))
            }
            _ => None,
        }
    }

    /// Inserts `value` into the array at `pointer` before `at` (the end when `at` is past it).
    pub fn insert(&mut self, pointer: &str, at: usize, value: Value) -> Result<(), String> {
        let items = ensure(&mut self.value, pointer)?;
        if items.is_null() {
            *items = Value::Array(Vec::new());
        }
        let items = items.as_array_mut().ok_or_else(|| format!("{pointer} is not an array"))?;
        items.insert(at.min(items.len()), value);
        Ok(())
    }

    /// Moves an element of the array at `pointer` from `from` to `to`.
    pub fn move_item(&mut self, pointer: &str, from: usize, to: usize) -> Result<(), String> {
        let items = self
            .value
            .pointer_mut(pointer)
            .and_then(Value::as_array_mut)
            .ok_or_else(|| format!("{pointer} is not an array"))?;
        if from >= items.len() || to >= items.len() {
            return Err(format!("{pointer} has {} elements", items.len()));
        }
        let item = items.remove(from);
        items.insert(to, item);
        Ok(())
    }
}

fn detect_indent(text: &str) -> usize {
    text.lines()
        .skip(1)
        .find(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .filter(|n| (1..=8).contains(n))
        .unwrap_or(2)
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn split(pointer: &str) -> Result<(String, String), String> {
    let (parent, last) = pointer.rsplit_once('/').ok_or_else(|| format!("{pointer:?} is not a JSON pointer"))?;
    Ok((parent.to_owned(), unescape(last)))
}

fn index(segment: &str, len: usize) -> Result<usize, String> {
    segment.parse::<usize>().ok().filter(|i| *i < len).ok_or_else(|| format!("no element {segment}"))
}

/// The value at `pointer`, making missing object members (as objects) on the way.
fn ensure<'v>(value: &'v mut Value, pointer: &str) -> Result<&'v mut Value, String> {
    let mut current = value;
    for raw in pointer.split('/').skip(1) {
        let segment = unescape(raw);
        if current.is_null() {
            *current = Value::Object(serde_json::Map::new());
        }
        current = match current {
            Value::Object(map) => map.entry(segment).or_insert(Value::Null),
            Value::Array(items) => {
                let i = index(&segment, items.len())?;
                &mut items[i]
            }
            _ => return Err(format!("cannot go into {raw:?}: not an object or an array")),
        };
    }
    Ok(current)
}

/// Applies `fix` to the files' texts (`path → text`); files it creates are added.
pub fn apply_fix(files: &mut BTreeMap<String, String>, fix: &Fix) -> Result<(), String> {
    for edit in &fix.edits {
        match edit {
            Edit::Write { file, text } => {
                files.insert(file.clone(), text.clone());
            }
            Edit::Set { file, pointer, value } => {
                let mut doc = document(files, file)?;
                doc.set(pointer, value.clone())?;
                files.insert(file.clone(), doc.to_text());
            }
            Edit::Remove { file, pointer } => {
                let mut doc = document(files, file)?;
                doc.remove(pointer).ok_or_else(|| format!("{file} has nothing at {pointer}"))?;
                files.insert(file.clone(), doc.to_text());
            }
        }
    }
    Ok(())
}

fn document(files: &BTreeMap<String, String>, file: &str) -> Result<Document, String> {
    let text = files.get(file).ok_or_else(|| format!("there is no {file}"))?;
    Document::parse(text).map_err(|err| format!("{file} is not valid JSON: {}", err.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTALL: &str = r#"{
    "zeta": 1,
    "displayName": "Hello",
    "customVendorKey": {"keep": [1, 2]},
    "params": [
        {"name": "b", "type": "String", "x-extra": true},
        {"name": "a", "type": "Boolean"}
    ]
}
"#;

    #[test]
    fn reading_then_writing_loses_no_key_and_keeps_the_order_and_indent() {
        let doc = Document::parse(INSTALL).unwrap();
        let text = doc.to_text();
        let keys: Vec<&String> = doc.value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["zeta", "displayName", "customVendorKey", "params"]);
        assert!(text.starts_with("{\n    \"zeta\": 1,\n    \"displayName\""), "{text}");
        assert_eq!(Document::parse(&text).unwrap().value, doc.value);
        assert!(text.contains("\"x-extra\": true"));
    }

    #[test]
    fn edits_by_pointer_keep_everything_else_in_place() {
        let mut doc = Document::parse(INSTALL).unwrap();
        doc.set("/params/0/default", serde_json::json!("x")).unwrap();
        doc.set("/playbook/outputVariables", serde_json::json!([])).unwrap();
        doc.insert("/playbook/outputVariables", 0, serde_json::json!({"name": "o", "type": "String"})).unwrap();
        doc.move_item("/params", 1, 0).unwrap();
        assert_eq!(doc.remove("/zeta"), Some(serde_json::json!(1)));
        let value = &doc.value;
        assert_eq!(value["params"][0]["name"], "a");
        let first_param_keys: Vec<&String> = value["params"][1].as_object().unwrap().keys().collect();
        assert_eq!(first_param_keys, ["name", "type", "x-extra", "default"]);
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["displayName", "customVendorKey", "params", "playbook"]);
        assert!(doc.set("/params/9/name", serde_json::json!("x")).is_err());
    }

    #[test]
    fn syntax_errors_say_where() {
        let err = Document::parse("{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!(err.line, 3);
        let forgiven = Document::parse("{\"a\": [1,],}").unwrap();
        assert_eq!(forgiven.trailing_commas.len(), 2);
    }

    #[test]
    fn fixes_apply_to_the_files() {
        let mut files = BTreeMap::from([("install.json".to_owned(), INSTALL.to_owned())]);
        let fix = Fix {
            title: "t".into(),
            edits: vec![
                Edit::Set { file: "install.json".into(), pointer: "/programVersion".into(), value: "1.0.0".into() },
                Edit::Remove { file: "install.json".into(), pointer: "/zeta".into() },
                Edit::Write { file: "tcex.json".into(), text: "{}\n".into() },
            ],
        };
        apply_fix(&mut files, &fix).unwrap();
        assert!(files["install.json"].contains("\"programVersion\": \"1.0.0\""));
        assert!(!files["install.json"].contains("zeta"));
        assert_eq!(files["tcex.json"], "{}\n");
    }
}
