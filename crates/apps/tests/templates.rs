//! Every template is a complete app: it runs as is, and tcex-cli 2.0.0 validates it cleanly.
//!
//! `tcex validate` runs when `TCEX_BIN` names the tcex command (scripts/test installs tcex-cli
//! into target/tcex-venv and sets it); under CI its absence is a failure, not a skip.

use apps::templates::TEMPLATES;
use domain::app::AppSlug;
use std::path::Path;
use std::process::Command;

fn write_app(dir: &Path, template: &apps::templates::Template) {
    let slug = AppSlug::parse("threat-tool").expect("slug");
    for (path, content) in template.render("Threat Tool", &slug, "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c") {
        let file = dir.join(path.as_str());
        std::fs::create_dir_all(file.parent().expect("a parent")).expect("folders");
        std::fs::write(file, content).expect("written");
    }
}

#[test]
fn every_template_runs_with_its_sample_inputs() {
    for template in TEMPLATES {
        let dir = tempfile::tempdir().expect("temp dir");
        write_app(dir.path(), template);
        std::fs::copy(dir.path().join("app_inputs.sample.json"), dir.path().join("app_inputs.json")).expect("inputs");
        if dir.path().join("webhook_event.sample.json").exists() {
            std::fs::copy(dir.path().join("webhook_event.sample.json"), dir.path().join("webhook_event.json"))
                .expect("event");
        }
        let run = Command::new("python3").arg("run.py").current_dir(dir.path()).output().expect("python3 runs");
        assert!(
            run.status.success(),
            "{}: {}{}",
            template.name,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        let outputs: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("out/outputs.json")).expect("outputs written"))
                .expect("JSON outputs");
        let message = std::fs::read_to_string(dir.path().join("out/message.tc")).expect("exit message written");
        assert!(!message.is_empty() && message.len() <= 255, "{}: {message}", template.name);
        if template.runtime_level == "Organization" {
            assert_eq!(outputs, serde_json::json!([]), "job apps declare no outputs");
        } else {
            let names: Vec<_> = outputs
                .as_array()
                .expect("a list")
                .iter()
                .map(|o| o["name"].as_str().expect("a name").to_owned())
                .collect();
            assert!(!names.is_empty(), "{}: no outputs", template.name);
            assert!(
                names.iter().all(|n| n.starts_with("threat_tool.")),
                "{}: outputs follow the naming standard: {names:?}",
                template.name
            );
        }
    }
}

#[test]
fn every_template_reads_only_declared_inputs_and_writes_only_declared_outputs() {
    let slug = AppSlug::parse("threat-tool").expect("slug");
    for template in TEMPLATES {
        let files = template.render("Threat Tool", &slug, "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c");
        let (checked, _) =
            apps::problems::files_to_check("threat-tool", files.into_iter().map(|(p, b)| (p.to_string(), b)));
        let found: Vec<_> = domain::manifest::validate(&checked)
            .into_iter()
            .filter(|p| p.code.starts_with("python.input") || p.code.starts_with("python.output"))
            .collect();
        assert!(found.is_empty(), "{}: {found:#?}", template.name);
    }
}

#[test]
fn templates_with_tests_pass_them() {
    let mut tested = Vec::new();
    for template in TEMPLATES {
        let dir = tempfile::tempdir().expect("temp dir");
        write_app(dir.path(), template);
        if !dir.path().join("tests").join("test_app.py").is_file() {
            continue;
        }
        let run = Command::new("python3")
            .args(["-m", "unittest", "discover", "-s", "tests", "-t", "."])
            .current_dir(dir.path())
            .output()
            .expect("python3 runs");
        let report = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success() && report.contains("OK"), "{}: {report}", template.name);
        tested.push(template.name);
    }
    assert!(tested.contains(&"enrichment") && tested.contains(&"alert-processing"), "{tested:?}");
}

#[test]
fn every_template_passes_tcex_validate() {
    let Some(tcex) = std::env::var_os("TCEX_BIN") else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide TCEX_BIN (scripts/test does)");
        eprintln!("TCEX_BIN is not set: skipping tcex validate (scripts/test sets it)");
        return;
    };
    for template in TEMPLATES {
        let dir = tempfile::tempdir().expect("temp dir");
        write_app(dir.path(), template);
        let run = Command::new(&tcex)
            .arg("validate")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .output()
            .expect("tcex runs");
        let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success(), "{}: {report}", template.name);
        assert!(report.contains("passed"), "{}: tcex printed no checks: {report}", template.name);
        for bad in ["failed", "Validation Errors", "Traceback"] {
            assert!(!report.contains(bad), "{}: tcex validate reports {bad}:\n{report}", template.name);
        }
    }
}
