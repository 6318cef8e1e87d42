//! Problems found in an app's files, in the shape of `GET .../problems`.

use serde::{Deserialize, Serialize};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One problem: where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A stable code, e.g. `missing_install_json`.
    pub code: String,
    pub severity: Severity,
    pub file: String,
    /// A JSON pointer into the file, empty for the whole file.
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A mechanical repair: what it does, and the edits that do it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// One edit of a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Edit {
    /// Set the value at a JSON pointer of a JSON file.
    Set { file: String, pointer: String, value: serde_json::Value },
    /// Remove the value at a JSON pointer of a JSON file.
    Remove { file: String, pointer: String },
    /// Write a whole file.
    Write { file: String, text: String },
}

impl Problem {
    /// A problem about a whole file.
    pub fn file(code: &str, severity: Severity, file: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            severity,
            file: file.into(),
            pointer: String::new(),
            line: None,
            message: message.into(),
            fix: None,
        }
    }
}
