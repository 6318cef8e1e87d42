//! install.json as it goes into a package: what `tcex package` (tcex-cli 2.0.0) changes when it
//! rewrites the file, applied to our order-keeping document.
//!
//! - `features`: the defaults for the runtime level and the tcex version, `layoutEnabledApp` when
//!   layout.json exists, then the app's own (deprecated ones dropped, known ones that do not apply
//!   to the runtime level or tcex version dropped, unknown ones kept); sorted, unique.
//! - `languageVersion` becomes `major.minor` ("3.6.x" → "3.6"); `minServerVersion` is raised to
//!   7.2.0 and written as X.Y.Z; `sdkVersion` defaults to 2.0.0 and is stamped with the version of
//!   the tcex the app ships (its vendored `tcex-<v>.dist-info`), as tcex-cli stamps the tcex of the
//!   environment it runs in.
//! - Keys tcex-cli's model does not know are dropped (top level, params, playbook, outputs, retry).
//! - `appId` is kept: the platform identifies the app by it.
//!
//! Unlike tcex-cli, key order is kept and fields equal to their defaults are not removed (older
//! platform versions expect `allowOnDemand` and `params`): the file means the same to tcex-cli's
//! model, which the compatibility tests check by loading both through it.

use serde_json::{Map, Value};

/// The tcex version tcex-cli assumes when no tcex is installed.
const TCEX_ABSENT: Version = Version(2, 0, 0);

const TOP_LEVEL_KEYS: [&str; 30] = [
    "feeds",
    "publishOutFiles",
    "repeatingMinutes",
    "allowOnDemand",
    "allowRunAsUser",
    "apiUserTokenParam",
    "appId",
    "category",
    "deprecatesApps",
    "displayName",
    "displayPath",
    "features",
    "labels",
    "languageVersion",
    "listDelimiter",
    "minServerVersion",
    "note",
    "programLanguage",
    "programMain",
    "programVersion",
    "runtimeLevel",
    "service",
    "sdkVersion",
    "commitHash",
    "dockerImage",
    "params",
    "playbook",
    "programIcon",
    "programName",
    "runtimeContext",
];
const PARAM_KEYS: [&str; 19] = [
    "allowMultiple",
    "allowNested",
    "default",
    "encrypt",
    "exposePlaybookKeyAs",
    "feedDeployer",
    "hidden",
    "intelType",
    "label",
    "name",
    "note",
    "playbookDataType",
    "required",
    "sequence",
    "serviceConfig",
    "setup",
    "type",
    "validValues",
    "viewRows",
];
const PLAYBOOK_KEYS: [&str; 4] = ["outputPrefix", "outputVariables", "retry", "type"];
const OUTPUT_KEYS: [&str; 5] = ["encrypt", "intelType", "name", "note", "type"];
const RETRY_KEYS: [&str; 4] = ["actions", "allowed", "defaultDelayMinutes", "defaultMaxRetries"];

/// A feature tcex-cli knows: on by default?, the runtime levels it applies to (lower case; empty
/// = all), and the tcex version it needs.
struct KnownFeature {
    name: &'static str,
    default: bool,
    runtime_levels: &'static [&'static str],
    since: Option<Version>,
}

const PLAYBOOK: &[&str] = &["playbook"];
const TRIGGERS_AND_PLAYBOOK: &[&str] = &["playbook", "triggerservice", "webhooktriggerservice"];
const WEBHOOK: &[&str] = &["webhooktriggerservice"];

const fn feature(name: &'static str, runtime_levels: &'static [&'static str]) -> KnownFeature {
    KnownFeature { name, default: false, runtime_levels, since: None }
}

/// tcex-cli 2.0.0's `known_features`, in its order.
const KNOWN_FEATURES: [KnownFeature; 19] = [
    feature("advancedRequest", PLAYBOOK),
    KnownFeature { default: true, ..feature("appBuilderCompliant", TRIGGERS_AND_PLAYBOOK) },
    feature("CALSettings", &[]),
    KnownFeature { default: true, ..feature("fileParams", &[]) },
    feature("layoutEnabledApp", TRIGGERS_AND_PLAYBOOK),
    feature("linkApiPath", &["apiservice", "feedapiservice"]),
    KnownFeature { default: true, since: Some(Version(3, 0, 9)), ..feature("redisPasswordSupport", &[]) },
    KnownFeature { default: true, since: Some(Version(3, 0, 2)), ..feature("runtimeVariables", PLAYBOOK) },
    feature("smtpSettings", &[]),
    KnownFeature { since: Some(Version(4, 0, 0)), ..feature("webhookResponseMarshall", WEBHOOK) },
    KnownFeature { since: Some(Version(4, 0, 0)), ..feature("webhookServiceEndpoint", WEBHOOK) },
    feature("CreatesGroup", PLAYBOOK),
    feature("CreatesIndicator", PLAYBOOK),
    feature("CreatesSecurityLabel", PLAYBOOK),
    feature("CreatesTag", PLAYBOOK),
    feature("DeletesGroup", PLAYBOOK),
    feature("DeletesIndicator", PLAYBOOK),
    feature("DeletesSecurityLabel", PLAYBOOK),
    feature("DeletesTag", PLAYBOOK),
];

/// `major.minor.patch`, compared numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Like python-semanticversion's `Version.coerce`: the leading numbers, missing parts 0
    /// ("3.6.x" → 3.6.0, "7" → 7.0.0); `None` when the text does not start with a number.
    pub fn coerce(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|p| {
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u64>().ok()
        });
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        let patch = parts.next().flatten().unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What normalisation needs to know about the package besides install.json.
#[derive(Debug, Clone, Default)]
pub struct PackageFacts {
    /// layout.json exists in the app.
    pub has_layout: bool,
    /// The tcex version vendored with the app, if any.
    pub tcex: Option<Version>,
}

/// Rewrites install.json in place as tcex-cli's package step does (see the module docs).
pub fn normalize_install_json(install: &mut Value, facts: &PackageFacts) {
    let Some(root) = install.as_object_mut() else { return };
    retain_known(root, &TOP_LEVEL_KEYS);
    if let Some(params) = root.get_mut("params").and_then(Value::as_array_mut) {
        params.iter_mut().filter_map(Value::as_object_mut).for_each(|p| retain_known(p, &PARAM_KEYS));
    }
    if let Some(playbook) = root.get_mut("playbook").and_then(Value::as_object_mut) {
        retain_known(playbook, &PLAYBOOK_KEYS);
        if let Some(outputs) = playbook.get_mut("outputVariables").and_then(Value::as_array_mut) {
            outputs.iter_mut().filter_map(Value::as_object_mut).for_each(|o| retain_known(o, &OUTPUT_KEYS));
        }
        if let Some(retry) = playbook.get_mut("retry").and_then(Value::as_object_mut) {
            retain_known(retry, &RETRY_KEYS);
        }
    }

    let tcex = facts.tcex.unwrap_or(TCEX_ABSENT);
    let runtime_level = root.get("runtimeLevel").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    let declared: Vec<String> = root
        .get("features")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let features = normalized_features(&runtime_level, &declared, tcex, facts.has_layout);
    root.insert("features".into(), Value::from(features));

    if let Some(version) = root.get("languageVersion").and_then(Value::as_str).and_then(Version::coerce) {
        root.insert("languageVersion".into(), Value::from(format!("{}.{}", version.0, version.1)));
    }
    let min_server = root.get("minServerVersion").and_then(Value::as_str).and_then(Version::coerce);
    let min_server = min_server.filter(|v| *v >= Version(7, 2, 0)).unwrap_or(Version(7, 2, 0));
    root.insert("minServerVersion".into(), Value::from(min_server.to_string()));
    let sdk = root.get("sdkVersion").and_then(Value::as_str).and_then(Version::coerce).unwrap_or(TCEX_ABSENT);
    let sdk = facts.tcex.unwrap_or(sdk);
    root.insert("sdkVersion".into(), Value::from(sdk.to_string()));
}

fn retain_known(object: &mut Map<String, Value>, known: &[&str]) {
    object.retain(|key, _| known.contains(&key.as_str()));
}

fn applies(feature: &KnownFeature, runtime_level: &str, tcex: Version) -> bool {
    feature.since.is_none_or(|since| since <= tcex)
        && (feature.runtime_levels.is_empty() || feature.runtime_levels.contains(&runtime_level))
}

/// tcex-cli's `updated_features`.
fn normalized_features(runtime_level: &str, declared: &[String], tcex: Version, has_layout: bool) -> Vec<String> {
    let mut features: Vec<String> = KNOWN_FEATURES
        .iter()
        .filter(|f| f.default && applies(f, runtime_level, tcex))
        .map(|f| f.name.to_owned())
        .collect();
    if has_layout {
        features.push("layoutEnabledApp".to_owned());
    }
    for name in declared {
        if name == "aotExecutionEnabled" {
            continue;
        }
        match KNOWN_FEATURES.iter().find(|f| f.name == name) {
            None => features.push(name.clone()),
            Some(known) if applies(known, runtime_level, tcex) => features.push(name.clone()),
            Some(_) => {}
        }
    }
    features.sort();
    features.dedup();
    features
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_coerce_like_semantic_version() {
        assert_eq!(Version::coerce("3.6.x"), Some(Version(3, 6, 0)));
        assert_eq!(Version::coerce("7"), Some(Version(7, 0, 0)));
        assert_eq!(Version::coerce("5.0.1rc1"), Some(Version(5, 0, 1)));
        assert_eq!(Version::coerce("latest"), None);
        assert!(Version(3, 0, 9) > Version(3, 0, 2));
    }

    #[test]
    fn features_follow_the_runtime_level_and_the_shipped_tcex() {
        let declared =
            vec!["aotExecutionEnabled".to_owned(), "secureParams".to_owned(), "webhookServiceEndpoint".to_owned()];
        // No tcex shipped: tcex-cli's 2.0.0 gates out the newer defaults.
        assert_eq!(
            normalized_features("playbook", &declared, TCEX_ABSENT, true),
            ["appBuilderCompliant", "fileParams", "layoutEnabledApp", "secureParams"]
        );
        assert_eq!(
            normalized_features("playbook", &[], Version(5, 0, 0), false),
            ["appBuilderCompliant", "fileParams", "redisPasswordSupport", "runtimeVariables"]
        );
        assert_eq!(
            normalized_features("webhooktriggerservice", &declared, Version(4, 0, 2), false),
            ["appBuilderCompliant", "fileParams", "redisPasswordSupport", "secureParams", "webhookServiceEndpoint"]
        );
        assert_eq!(
            normalized_features("organization", &[], Version(5, 0, 0), true),
            ["fileParams", "layoutEnabledApp", "redisPasswordSupport"]
        );
    }

    #[test]
    fn install_json_keeps_its_id_and_order_and_loses_unknown_keys() {
        let mut install = json!({
            "displayName": "Hello",
            "appId": "4b8c6a8e-7d3f-4c8e-9a51-0c2d3c1f2a10",
            "runtimeLevel": "Playbook",
            "languageVersion": "3.6.x",
            "minServerVersion": "6.0",
            "programVersion": "1.2.3",
            "madeUp": true,
            "features": ["aotExecutionEnabled"],
            "params": [{"name": "a", "type": "String", "label": "A", "colour": "red"}],
            "playbook": {"type": "Utility", "outputVariables": [{"name": "x", "type": "String", "weight": 1}],
                         "retry": {"allowed": true, "extra": 1}}
        });
        normalize_install_json(&mut install, &PackageFacts { has_layout: false, tcex: Some(Version(4, 0, 5)) });
        assert_eq!(install["appId"], "4b8c6a8e-7d3f-4c8e-9a51-0c2d3c1f2a10");
        assert_eq!(install["languageVersion"], "3.6");
        assert_eq!(install["minServerVersion"], "7.2.0");
        assert_eq!(install["sdkVersion"], "4.0.5");
        assert!(install.get("madeUp").is_none());
        assert!(install["params"][0].get("colour").is_none());
        assert!(install["playbook"]["outputVariables"][0].get("weight").is_none());
        assert!(install["playbook"]["retry"].get("extra").is_none());
        let keys: Vec<&String> = install.as_object().expect("object").keys().collect();
        assert_eq!(keys[..3], ["displayName", "appId", "runtimeLevel"]);
        assert_eq!(
            install["features"],
            json!(["appBuilderCompliant", "fileParams", "redisPasswordSupport", "runtimeVariables"])
        );
    }

    #[test]
    fn a_higher_min_server_version_and_an_absent_sdk_version() {
        let mut install = json!({"runtimeLevel": "Organization", "minServerVersion": "7.4"});
        normalize_install_json(&mut install, &PackageFacts::default());
        assert_eq!(install["minServerVersion"], "7.4.0");
        assert_eq!(install["sdkVersion"], "2.0.0");
    }
}
