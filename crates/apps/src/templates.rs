//! The templates a new app starts from. Each is a complete app (install.json, tcex.json, the
//! Python entry point, requirements.txt, README.md, and layout.json where inputs depend on an
//! action) that passes `tcex validate` and runs as is; the test suite checks both.
//!
//! Files live in `crates/apps/templates/` and are compiled in. Placeholders: `{{display_name}}`,
//! `{{app_id}}` (a fresh UUID, kept forever), `{{package_name}}` (tcex.json `app_name`) and
//! `{{output_prefix}}` (the slug in snake_case, first part of every output variable name).

use domain::app::{AppSlug, RepoPath, package_name, package_prefix};
use serde::Serialize;

/// A template as `GET /api/v1/templates` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Template {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub runtime_level: &'static str,
    #[serde(skip)]
    files: &'static [(&'static str, &'static str)],
}

macro_rules! file {
    ($path:literal, $source:literal) => {
        ($path, include_str!(concat!("../templates/", $source)))
    };
}

const COMMON: &[(&str, &str)] = &[
    file!("run.py", "common/run.py"),
    file!("tcex.json", "common/tcex.json"),
    file!("requirements.txt", "common/requirements.txt"),
    file!(".gitignore", "common/gitignore"),
];

/// Every template, in the order the UI offers them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "playbook-basic",
        title: "Playbook app: basic",
        description: "Takes inputs from a playbook and returns output variables. The starting point for most apps.",
        runtime_level: "Playbook",
        files: &[
            file!("install.json", "playbook-basic/install.json"),
            file!("app.py", "playbook-basic/app.py"),
            file!("app_inputs.sample.json", "playbook-basic/app_inputs.sample.json"),
            file!("README.md", "playbook-basic/README.md"),
        ],
    },
    Template {
        name: "playbook-actions",
        title: "Playbook app: actions",
        description: "One app, several actions chosen by the tc_action input, with a layout that shows each action's inputs.",
        runtime_level: "Playbook",
        files: &[
            file!("install.json", "playbook-actions/install.json"),
            file!("layout.json", "playbook-actions/layout.json"),
            file!("app.py", "playbook-actions/app.py"),
            file!("app_inputs.sample.json", "playbook-actions/app_inputs.sample.json"),
            file!("README.md", "playbook-actions/README.md"),
        ],
    },
    Template {
        name: "enrichment",
        title: "On-demand enrichment",
        description: "Looks an indicator up in an HTTP service (timeouts, retries) and returns the raw answer, parsed results and TCEntity outputs.",
        runtime_level: "Playbook",
        files: &[
            file!("install.json", "enrichment/install.json"),
            file!("app.py", "enrichment/app.py"),
            file!("app_inputs.sample.json", "enrichment/app_inputs.sample.json"),
            file!("samples/lookup_response.json", "enrichment/samples/lookup_response.json"),
            file!("tests/__init__.py", "enrichment/tests/__init__.py"),
            file!("tests/test_app.py", "enrichment/tests/test_app.py"),
            file!("README.md", "enrichment/README.md"),
        ],
    },
    Template {
        name: "alert-processing",
        title: "Low-volume alert processing",
        description: "Started by a webhook: parses a JSON alert into normalised outputs and the indicators it names as TCEntity values.",
        runtime_level: "Playbook",
        files: &[
            file!("install.json", "alert-processing/install.json"),
            file!("app.py", "alert-processing/app.py"),
            file!("app_inputs.sample.json", "alert-processing/app_inputs.sample.json"),
            file!("tests/__init__.py", "alert-processing/tests/__init__.py"),
            file!("tests/test_app.py", "alert-processing/tests/test_app.py"),
            file!("README.md", "alert-processing/README.md"),
        ],
    },
    Template {
        name: "webhook-trigger",
        title: "Webhook trigger",
        description: "Receives alerts from another system by webhook and fires the playbook with the parsed alert.",
        runtime_level: "WebhookTriggerService",
        files: &[
            file!("install.json", "webhook-trigger/install.json"),
            file!("app.py", "webhook-trigger/app.py"),
            file!("app_inputs.sample.json", "webhook-trigger/app_inputs.sample.json"),
            file!("webhook_event.sample.json", "webhook-trigger/webhook_event.sample.json"),
            file!("README.md", "webhook-trigger/README.md"),
        ],
    },
    Template {
        name: "job",
        title: "Job app",
        description: "Runs on a schedule in the platform, for example to pull a feed of indicators.",
        runtime_level: "Organization",
        files: &[
            file!("install.json", "job/install.json"),
            file!("app.py", "job/app.py"),
            file!("app_inputs.sample.json", "job/app_inputs.sample.json"),
            file!("tests/sample_feed.txt", "job/tests/sample_feed.txt"),
            file!("README.md", "job/README.md"),
        ],
    },
];

/// The template with this name.
pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// Checks a display name for a new app: 3 to 100 characters (tcex-cli's rule), no control
/// characters, quotes or backslashes (they would need escaping in every file that names the app).
pub fn check_display_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(3..=100).contains(&name.chars().count()) {
        return Err("an app name needs 3 to 100 characters".into());
    }
    if name.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        return Err("an app name may not contain quotes, backslashes or control characters".into());
    }
    Ok(name)
}

impl Template {
    /// The template's files for an app with this (checked) display name, slug and appId.
    pub fn render(&self, display_name: &str, slug: &AppSlug, app_id: &str) -> Vec<(RepoPath, Vec<u8>)> {
        let prefix = package_prefix(self.runtime_level).expect("every template has a known runtime level");
        let package = package_name(prefix, display_name);
        let output_prefix = slug.as_str().replace('-', "_");
        COMMON
            .iter()
            .chain(self.files)
            .map(|(path, text)| {
                let content = text
                    .replace("{{display_name}}", display_name)
                    .replace("{{app_id}}", app_id)
                    .replace("{{package_name}}", &package)
                    .replace("{{output_prefix}}", &output_prefix);
                (RepoPath::parse(path).expect("template paths are valid"), content.into_bytes())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_fills_every_placeholder_and_keeps_json_valid() {
        let slug = AppSlug::parse("ip-enricher").expect("slug");
        for template in TEMPLATES {
            let files = template.render("IP Enricher", &slug, "0b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
            for (path, content) in &files {
                let text = String::from_utf8(content.clone()).expect("utf-8");
                assert!(!text.contains("{{"), "{}: {path} has an unfilled placeholder", template.name);
                if path.as_str().ends_with(".json") {
                    serde_json::from_str::<serde_json::Value>(&text)
                        .unwrap_or_else(|e| panic!("{}: {path}: {e}", template.name));
                }
            }
            let install: serde_json::Value = serde_json::from_slice(
                &files.iter().find(|(p, _)| p.as_str() == "install.json").expect("install.json").1,
            )
            .expect("json");
            assert_eq!(install["appId"], "0b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
            assert_eq!(install["runtimeLevel"], template.runtime_level);
            let tcex: serde_json::Value =
                serde_json::from_slice(&files.iter().find(|(p, _)| p.as_str() == "tcex.json").expect("tcex.json").1)
                    .expect("json");
            assert!(
                tcex["package"]["app_name"].as_str().is_some_and(|n| n.ends_with("IP_Enricher") && !n.contains(' '))
            );
        }
    }

    #[test]
    fn display_names_are_checked_and_tidied() {
        assert_eq!(check_display_name("  Whois   Lookup "), Ok("Whois Lookup".into()));
        assert!(check_display_name("ab").is_err());
        assert!(check_display_name(&"x".repeat(101)).is_err());
        assert!(check_display_name("Say \"hi\"").is_err());
    }
}
