//! `appbuilder package` against `tcex package` (tcex-cli 2.0.0, `TCEX_BIN`): for every template
//! and for fixture apps with vendored deps, tests, caches and custom excludes, our .tcx has the
//! same top folder and the same entries (folders included) as tcex's; `tcex validate` passes on
//! our unpacked package; install.json means the same to tcex-cli's own model; packaging again
//! gives the same bytes.

use apps::templates::TEMPLATES;
use domain::app::AppSlug;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fixture: its name and its files.
type Fixture = (String, Vec<(String, Vec<u8>)>);

const APP_ID: &str = "0d6e2f3c-3c1a-4f5e-9b7a-2a4c6e8f0b1d";

fn write(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
        std::fs::write(target, bytes).expect("write fixture");
    }
}

/// Every template, rendered as the store renders it, plus a kitchen-sink app.
fn fixtures() -> Vec<Fixture> {
    let mut out: Vec<Fixture> = TEMPLATES
        .iter()
        .map(|t| {
            let slug = AppSlug::parse("compat-app").expect("a slug");
            let files = t.render("Compat App", &slug, APP_ID).into_iter().map(|(p, b)| (p.to_string(), b)).collect();
            (t.name.to_owned(), files)
        })
        .collect();
    let (_, mut sink) = out.iter().find(|(name, _)| name == "playbook-actions").cloned().expect("the actions template");
    let extra: [(&str, &str); 12] = [
        ("deps/requests/__init__.py", "__version__ = '2'\n"),
        ("deps/requests/__pycache__/api.cpython-311.pyc", "bytecode"),
        ("deps/requests-2.32.3.dist-info/METADATA", "Name: requests\n"),
        ("tests/test_app.py", "def test_x():\n    pass\n"),
        ("app_inputs.json", "{}"),
        ("local-notes.txt", "mine"),
        ("docs/guide.md", "# guide\n"),
        ("docs/private/plan.md", "secret plan\n"),
        ("lib/helpers/__init__.py", "X = 1\n"),
        ("lib/helpers/vendor.zip", "PK"),
        ("pyproject.toml", "[tool.ruff]\n"),
        (".vscode/settings.json", "{}"),
    ];
    sink.extend(extra.iter().map(|(p, c)| ((*p).to_owned(), c.as_bytes().to_vec())));
    // tcex.json with a custom exclude.
    let tcex = sink.iter_mut().find(|(p, _)| p == "tcex.json").expect("tcex.json");
    let mut value: Value = serde_json::from_slice(&tcex.1).expect("tcex.json parses");
    value["package"]["excludes"] = serde_json::json!(["docs/private"]);
    tcex.1 = serde_json::to_vec_pretty(&value).expect("serialises");
    out.push(("kitchen-sink".to_owned(), sink));
    out
}

fn entries(tcx: &Path) -> BTreeSet<String> {
    let file = std::fs::File::open(tcx).expect("open package");
    let archive = zip::ZipArchive::new(file).expect("a zip");
    archive.file_names().map(str::to_owned).collect()
}

fn appbuilder_package(dir: &Path, out: &Path) -> Value {
    let run = Command::new(env!("CARGO_BIN_EXE_appbuilder"))
        .arg("package")
        .arg(dir)
        .arg("-o")
        .arg(format!("{}/", out.display()))
        .arg("--json")
        .output()
        .expect("appbuilder runs");
    assert!(run.status.success(), "appbuilder package failed: {}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).expect("--json prints JSON")
}

fn tcex_package(tcex: &Path, dir: &Path) -> PathBuf {
    let run = Command::new(tcex).arg("package").current_dir(dir).env("NO_COLOR", "1").output().expect("tcex runs");
    let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    let tcx = std::fs::read_dir(dir.join("target"))
        .unwrap_or_else(|e| panic!("tcex package wrote no target/ ({e}): {report}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tcx"));
    tcx.unwrap_or_else(|| panic!("tcex package wrote no .tcx: {report}"))
}

/// tcex-cli's model of an install.json, as its package step writes it.
fn tcex_model(python: &Path, install: &Path) -> Value {
    const DUMP: &str = "import json, sys\n\
        from tcex_cli.app.config.model.install_json_model import InstallJsonModel\n\
        m = InstallJsonModel(**json.load(open(sys.argv[1])))\n\
        print(m.model_dump_json(by_alias=True, exclude_defaults=True, exclude_none=True))";
    let run = Command::new(python).args(["-c", DUMP]).arg(install).output().expect("python runs");
    assert!(
        run.status.success(),
        "tcex-cli's model rejects {}: {}",
        install.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).expect("a JSON dump")
}

fn unzip(tcx: &Path, into: &Path) {
    let file = std::fs::File::open(tcx).expect("open package");
    zip::ZipArchive::new(file).expect("a zip").extract(into).expect("extract");
}

#[test]
fn our_packages_match_tcex_package_and_pass_tcex_validate() {
    let Some(tcex) = std::env::var_os("TCEX_BIN").map(PathBuf::from) else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide TCEX_BIN (scripts/test does)");
        eprintln!("TCEX_BIN is not set: skipping the tcex comparison (scripts/test sets it)");
        return;
    };
    let python = tcex.with_file_name("python");
    for (name, files) in fixtures() {
        let work = tempfile::tempdir().expect("temp dir");
        let (ours_src, theirs_src, out) =
            (work.path().join("ours"), work.path().join("theirs"), work.path().join("out"));
        write(&ours_src, &files);
        write(&theirs_src, &files);

        let first = appbuilder_package(&ours_src, &out);
        let tcx = PathBuf::from(first["path"].as_str().expect("a path"));
        let bytes = std::fs::read(&tcx).expect("the package");
        let second = appbuilder_package(&ours_src, &work.path().join("again"));
        assert_eq!(first["sha256"], second["sha256"], "{name}: packaging again gives the same bytes");
        assert_eq!(bytes, std::fs::read(second["path"].as_str().expect("a path")).expect("the package"), "{name}");

        let theirs = tcex_package(&tcex, &theirs_src);
        assert_eq!(tcx.file_name(), theirs.file_name(), "{name}: the same file name (and so top folder)");
        assert_eq!(entries(&tcx), entries(&theirs), "{name}: the same entries as tcex package");

        let unpacked = work.path().join("unpacked");
        unzip(&tcx, &unpacked);
        let folder = unpacked.join(first["folder"].as_str().expect("a folder"));
        let run = Command::new(&tcex)
            .arg("validate")
            .current_dir(&folder)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "400")
            .output()
            .expect("tcex runs");
        let report = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
        assert!(run.status.success() && !report.contains("Traceback"), "{name}: tcex validate crashed: {report}");
        assert!(!report.contains("• "), "{name}: tcex validate lists problems in our package: {report}");

        let theirs_unpacked = work.path().join("theirs-unpacked");
        unzip(&theirs, &theirs_unpacked);
        let theirs_install = theirs_unpacked.join(first["folder"].as_str().expect("a folder")).join("install.json");
        assert_eq!(
            tcex_model(&python, &folder.join("install.json")),
            tcex_model(&python, &theirs_install),
            "{name}: install.json means the same to tcex-cli"
        );
        let ours_install: Value =
            serde_json::from_slice(&std::fs::read(folder.join("install.json")).expect("read")).expect("json");
        assert_eq!(ours_install["appId"], APP_ID, "{name}: the appId is kept");
    }
}

#[test]
fn an_app_with_errors_is_not_packaged() {
    let work = tempfile::tempdir().expect("temp dir");
    let (_, mut files) = fixtures().remove(0);
    let install = files.iter_mut().find(|(p, _)| p == "install.json").expect("install.json");
    install.1 = br#"{"displayName": "X"}"#.to_vec();
    write(work.path(), &files);
    let run = Command::new(env!("CARGO_BIN_EXE_appbuilder"))
        .arg("package")
        .arg(work.path())
        .output()
        .expect("appbuilder runs");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("install.json") && stderr.contains("error"), "names the problem: {stderr}");
    assert!(!work.path().join("target").exists(), "nothing written");
}

/// Writes every fixture into `PACKAGE_FIXTURES_DIR/<name>/` (for bench/package.sh).
#[test]
#[ignore = "run by bench/package.sh"]
fn write_fixtures() {
    let root = PathBuf::from(std::env::var_os("PACKAGE_FIXTURES_DIR").expect("PACKAGE_FIXTURES_DIR"));
    for (name, files) in fixtures() {
        write(&root.join(name), &files);
    }
}
