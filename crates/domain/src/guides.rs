//! Which guide section explains a validation or lint problem: every problem the IDE shows links
//! to `/guides/<guide>#<section>`. The guides themselves are in `app/guides/`.

/// The guides, in the order `/guides` lists them: (name, title, one line).
pub const GUIDES: &[(&str, &str, &str)] = &[
    (
        "integration-types",
        "Integration types",
        "On-demand enrichment, alert processing, triggers and jobs: which to build when.",
    ),
    ("output-naming", "Output variable names", "The naming standard for output variables, with examples."),
    (
        "data-mapping",
        "Threat-intelligence data mapping",
        "Indicators, groups, associations, attributes, tags, security labels, rating and confidence.",
    ),
    (
        "run-contract",
        "The runtime's input and output contract",
        "How an app gets its inputs and hands back outputs, the exit message and a webhook's answer.",
    ),
    (
        "manifest",
        "install.json, layout.json and tcex.json",
        "Every field the validator checks, and how to fix what it reports.",
    ),
    ("python-checks", "Python checks in a build", "What a build's compile check and lint findings mean, code by code."),
];

/// Problem-code prefixes and the section that explains them; the longest matching prefix wins.
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("json.", "manifest", "json"),
    ("install.", "manifest", "install"),
    ("install.program_version", "manifest", "version"),
    ("install.runtime_level", "integration-types", "runtime-levels"),
    ("install.features", "manifest", "features"),
    ("install.app_id", "manifest", "app-id"),
    ("install.program_main", "run-contract", "entry-point"),
    ("param.", "manifest", "params"),
    ("param.default", "manifest", "param-defaults"),
    ("param.choice", "manifest", "param-defaults"),
    ("param.encrypt", "run-contract", "secrets"),
    ("playbook.", "manifest", "playbook"),
    ("output.", "manifest", "outputs"),
    ("output.naming.case", "output-naming", "case"),
    ("output.naming.prefix", "output-naming", "prefix"),
    ("output.naming.raw", "output-naming", "raw"),
    ("layout.", "manifest", "layout"),
    ("layout.display", "manifest", "display"),
    ("tcex.", "manifest", "tcex"),
    ("python.", "run-contract", "python"),
    ("python.input", "run-contract", "inputs"),
    ("python.output", "run-contract", "outputs"),
    ("python.compile", "python-checks", "compile"),
    ("ruff.", "python-checks", "lint"),
    ("ruff.F", "python-checks", "pyflakes"),
    ("ruff.E", "python-checks", "pycodestyle"),
    ("ruff.E9", "python-checks", "syntax"),
];

/// `/guides/<guide>#<section>` for a problem code; the guides' index for a code no section names.
pub fn guide_href(code: &str) -> String {
    SECTIONS
        .iter()
        .filter(|(prefix, _, _)| code.starts_with(prefix))
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map_or_else(|| "/guides".to_owned(), |(_, guide, section)| format!("/guides/{guide}#{section}"))
}

/// A validate finding as a build's log shows it: `place: severity [code] message` (the form
/// [`log_line_code`] reads back).
pub fn validate_log_line(place: &str, severity: &str, code: &str, message: &str) -> String {
    format!("{place}: {severity} [{code}] {message}")
}

/// The problem code a build log line reports, if it reports one: the `[code]` of a validate
/// finding (`install.json: error [install.app_id.missing] …`), `ruff.<rule>` of a lint finding
/// (`app.py:3:8: F401 …`), or `python.compile` of a file that does not compile (`app.py:12: …`).
pub fn log_line_code(step: &str, line: &str) -> Option<String> {
    match step {
        "validate" => {
            let (_, rest) = line.split_once(" [")?;
            let (code, _) = rest.split_once("] ")?;
            let plausible = !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
            plausible.then(|| code.to_owned())
        }
        "python" => {
            let (place, message) = line.split_once(": ")?;
            let mut parts = place.rsplitn(3, ':');
            let (last, middle) = (parts.next()?, parts.next()?);
            let is_number = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            if !is_number(last) {
                return None;
            }
            match parts.next() {
                // file:line:column: CODE message
                Some(_) if is_number(middle) => {
                    let rule = message.split_whitespace().next()?;
                    let letters = rule.trim_end_matches(|c: char| c.is_ascii_digit());
                    let is_rule = !letters.is_empty()
                        && letters.len() < rule.len()
                        && letters.chars().all(|c| c.is_ascii_uppercase());
                    is_rule.then(|| format!("ruff.{rule}"))
                }
                // file:line: message (the compile check)
                _ => Some("python.compile".to_owned()),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_section_wins() {
        assert_eq!(guide_href("output.naming.prefix"), "/guides/output-naming#prefix");
        assert_eq!(guide_href("output.duplicate"), "/guides/manifest#outputs");
        assert_eq!(guide_href("layout.display.invalid"), "/guides/manifest#display");
        assert_eq!(guide_href("install.program_version.format"), "/guides/manifest#version");
        assert_eq!(guide_href("something.else"), "/guides");
    }

    #[test]
    fn build_log_findings_name_their_code() {
        let code = |step, line| log_line_code(step, line);
        assert_eq!(
            code("validate", "install.json: error [install.app_id.missing] appId is missing").as_deref(),
            Some("install.app_id.missing")
        );
        assert_eq!(code("validate", "0 error(s), 1 warning(s)"), None);
        let written = validate_log_line("install.json:3", "warning", "output.naming.case", "use snake_case");
        assert_eq!(code("validate", &written).as_deref(), Some("output.naming.case"));
        assert_eq!(code("python", "app.py:3:8: F401 [*] `os` imported but unused").as_deref(), Some("ruff.F401"));
        assert_eq!(code("python", "lib/x.py:10:1: E722 Do not use bare `except`").as_deref(), Some("ruff.E722"));
        assert_eq!(code("python", "lib/broken.py:1: invalid syntax").as_deref(), Some("python.compile"));
        assert_eq!(code("python", "Python 3.11.9 (/usr/bin/python3.11)"), None);
        assert_eq!(code("python", "compiled 3 of 3 file(s)"), None);
        assert_eq!(code("python", "Found 2 errors."), None);
        assert_eq!(code("python", "a.py:1:2: invalid thing"), None);
        assert_eq!(code("dependencies", "app.py:3:8: F401 x"), None);
        assert_eq!(guide_href("ruff.F401"), "/guides/python-checks#pyflakes");
        assert_eq!(guide_href("ruff.E999"), "/guides/python-checks#syntax");
        assert_eq!(guide_href("ruff.UP006"), "/guides/python-checks#lint");
        assert_eq!(guide_href("python.compile"), "/guides/python-checks#compile");
    }

    #[test]
    fn every_section_belongs_to_a_listed_guide() {
        for (_, guide, _) in SECTIONS {
            assert!(GUIDES.iter().any(|(name, _, _)| name == guide), "{guide}");
        }
    }
}
