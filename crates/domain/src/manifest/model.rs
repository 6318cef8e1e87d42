//! Typed views of install.json, layout.json and tcex.json, read leniently from a JSON document:
//! a field of the wrong type reads as absent here (the validator reports it), so a half-typed
//! manifest still shows in the forms. The document itself stays the source of truth: edits are
//! made to it (see [`super::Document`]), never by re-serialising these structs, so unknown keys
//! and key order survive.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Values `runtimeLevel` may take (each has a package prefix: `crate::app::package_prefix`).
pub const RUNTIME_LEVELS: [&str; 6] =
    ["Playbook", "Organization", "ApiService", "FeedApiService", "TriggerService", "WebhookTriggerService"];

/// Param types tcex-cli accepts.
pub const PARAM_TYPES: [&str; 7] =
    ["Boolean", "Choice", "EditChoice", "KeyValueList", "MultiChoice", "String", "StringMixed"];

/// The standard playbook data types (custom `[A-Za-z0-9_-]+` types are allowed too).
pub const DATA_TYPES: [&str; 14] = [
    "String",
    "StringArray",
    "Binary",
    "BinaryArray",
    "KeyValue",
    "KeyValueArray",
    "TCEntity",
    "TCEntityArray",
    "TCEnhancedEntity",
    "TCEnhancedEntityArray",
    "TCAssociation",
    "TCAssociationArray",
    "TCGroup",
    "TCGroupArray",
];

/// Features tcex-cli knows (`Creates*`/`Deletes*` are matched by prefix).
pub const FEATURES: [&str; 12] = [
    "appBuilderCompliant",
    "fileParams",
    "redisPasswordSupport",
    "runtimeVariables",
    "layoutEnabledApp",
    "advancedRequest",
    "CALSettings",
    "smtpSettings",
    "linkApiPath",
    "webhookResponseMarshall",
    "webhookServiceEndpoint",
    "secureParams",
];

/// One input of the app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: Option<String>,
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub required: bool,
    pub default: Option<Value>,
    pub valid_values: Vec<String>,
    pub playbook_data_type: Vec<String>,
    pub encrypt: bool,
    pub hidden: bool,
    pub service_config: bool,
    pub sequence: Option<i64>,
    pub note: Option<String>,
    pub view_rows: Option<i64>,
}

impl Param {
    /// Shown in the app's input form (and so placed in layout.json).
    pub fn visible(&self) -> bool {
        !self.hidden && !self.service_config
    }
}

/// One output variable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub encrypt: bool,
    pub note: Option<String>,
}

/// install.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstallJson {
    pub app_id: Option<String>,
    pub display_name: Option<String>,
    pub program_version: Option<String>,
    pub runtime_level: Option<String>,
    pub program_language: Option<String>,
    pub program_main: Option<String>,
    pub language_version: Option<String>,
    pub list_delimiter: Option<String>,
    pub category: Option<String>,
    pub note: Option<String>,
    pub min_server_version: Option<String>,
    pub sdk_version: Option<String>,
    pub features: Vec<String>,
    pub params: Vec<Param>,
    pub outputs: Vec<Output>,
}

/// One section of layout.json's inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutSection {
    pub title: Option<String>,
    pub sequence: Option<i64>,
    /// (param name, display clause)
    pub parameters: Vec<(String, Option<String>)>,
}

/// layout.json.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayoutJson {
    pub inputs: Vec<LayoutSection>,
    /// (output name, display clause)
    pub outputs: Vec<(String, Option<String>)>,
}

/// tcex.json's package settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcexJson {
    pub app_name: Option<String>,
    pub app_version: Option<String>,
    pub excludes: Vec<String>,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn texts(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value.get(key).and_then(Value::as_array).into_iter().flatten()
}

impl InstallJson {
    pub fn read(value: &Value) -> Self {
        InstallJson {
            app_id: text(value, "appId"),
            display_name: text(value, "displayName"),
            program_version: text(value, "programVersion"),
            runtime_level: text(value, "runtimeLevel"),
            program_language: text(value, "programLanguage"),
            program_main: text(value, "programMain"),
            language_version: text(value, "languageVersion"),
            list_delimiter: text(value, "listDelimiter"),
            category: text(value, "category"),
            note: text(value, "note"),
            min_server_version: text(value, "minServerVersion"),
            sdk_version: text(value, "sdkVersion"),
            features: texts(value, "features"),
            params: items(value, "params").map(Param::read).collect(),
            outputs: value
                .get("playbook")
                .map(|p| items(p, "outputVariables").map(Output::read).collect())
                .unwrap_or_default(),
        }
    }
}

impl Param {
    pub fn read(value: &Value) -> Self {
        Param {
            name: text(value, "name"),
            label: text(value, "label"),
            kind: text(value, "type"),
            required: flag(value, "required"),
            default: value.get("default").cloned(),
            valid_values: texts(value, "validValues"),
            playbook_data_type: texts(value, "playbookDataType"),
            encrypt: flag(value, "encrypt"),
            hidden: flag(value, "hidden"),
            service_config: flag(value, "serviceConfig"),
            sequence: value.get("sequence").and_then(Value::as_i64),
            note: text(value, "note"),
            view_rows: value.get("viewRows").and_then(Value::as_i64),
        }
    }
}

impl Output {
    pub fn read(value: &Value) -> Self {
        Output {
            name: text(value, "name"),
            kind: text(value, "type"),
            encrypt: flag(value, "encrypt"),
            note: text(value, "note"),
        }
    }
}

impl LayoutJson {
    pub fn read(value: &Value) -> Self {
        let entry = |v: &Value| text(v, "name").map(|name| (name, text(v, "display")));
        LayoutJson {
            inputs: items(value, "inputs")
                .map(|section| LayoutSection {
                    title: text(section, "title"),
                    sequence: section.get("sequence").and_then(Value::as_i64),
                    parameters: items(section, "parameters").filter_map(entry).collect(),
                })
                .collect(),
            outputs: items(value, "outputs").filter_map(entry).collect(),
        }
    }
}

impl TcexJson {
    pub fn read(value: &Value) -> Self {
        let package = value.get("package").cloned().unwrap_or(Value::Null);
        TcexJson {
            app_name: text(&package, "app_name"),
            app_version: text(&package, "app_version"),
            excludes: texts(&package, "excludes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let install = InstallJson::read(&json!({
            "displayName": "Hi", "programVersion": 1, "features": ["a", 2],
            "params": [{"name": "x", "type": "String", "required": "yes", "default": 3}],
            "playbook": {"outputVariables": [{"name": "x.y", "type": "String"}]}
        }));
        assert_eq!(install.display_name.as_deref(), Some("Hi"));
        assert_eq!(install.program_version, None);
        assert_eq!(install.features, vec!["a"]);
        assert!(!install.params[0].required);
        assert_eq!(install.params[0].default, Some(json!(3)));
        assert_eq!(install.outputs[0].kind.as_deref(), Some("String"));
    }

    #[test]
    fn layout_and_tcex_read_their_parts() {
        let layout = LayoutJson::read(&json!({
            "inputs": [{"title": "A", "sequence": 1, "parameters": [{"name": "x", "display": "y = 'z'"}]}],
            "outputs": [{"name": "o"}]
        }));
        assert_eq!(layout.inputs[0].parameters, vec![("x".to_owned(), Some("y = 'z'".to_owned()))]);
        assert_eq!(layout.outputs, vec![("o".to_owned(), None)]);
        let tcex = TcexJson::read(&json!({"package": {"app_name": "TCPB_-_X", "excludes": ["tests"]}}));
        assert_eq!(tcex.app_name.as_deref(), Some("TCPB_-_X"));
        assert_eq!(tcex.excludes, vec!["tests"]);
    }
}
