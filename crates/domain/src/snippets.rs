//! The built-in Python snippets the editor offers in its completion list: reading an input,
//! writing an output of each kind, logging, the exit message, an HTTP call with retries, a
//! TCEntity. Bodies use Monaco's snippet syntax (`${1:name}` are the places Tab visits). They fit
//! the templates' `App` class and the run contract (`/guides/run-contract`).
//!
//! Users add their own ([`UserSnippet`]): kept per user, optionally shared with everyone, for any
//! of the editor's languages. The completion list and the snippet picker offer both kinds.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub label: &'static str,
    pub detail: &'static str,
    pub documentation: &'static str,
    pub body: &'static str,
}

const fn snippet(
    label: &'static str,
    detail: &'static str,
    documentation: &'static str,
    body: &'static str,
) -> Snippet {
    Snippet { label, detail, documentation, body }
}

/// Every built-in snippet, in the order the completion list shows them.
pub const BUILT_IN: &[Snippet] = &[
    snippet(
        "input",
        "read an input",
        "An input by its param name, as text, trimmed.",
        "${1:value} = str(self.inputs.get('${2:param_name}') or '').strip()",
    ),
    snippet(
        "input required",
        "read a required input",
        "An input that must be given; the run fails with a clear message otherwise.",
        "${1:value} = str(self.inputs.get('${2:param_name}') or '').strip()\nif not ${1:value}:\n    raise AppError('the ${3:Label} input is empty')",
    ),
    snippet(
        "output String",
        "write a String output",
        "An entry of the dict App.run() returns; declare the output in install.json.",
        "'${1:prefix}.results.${2:name}': str(${3:value}),",
    ),
    snippet(
        "output StringArray",
        "write a StringArray output",
        "A list of strings.",
        "'${1:prefix}.results.${2:names}': [str(item) for item in ${3:items}],",
    ),
    snippet(
        "output KeyValueArray",
        "write a KeyValueArray output",
        "A list of {key, value} pairs.",
        "'${1:prefix}.results.${2:pairs}': [{'key': str(k), 'value': v} for k, v in ${3:mapping}.items()],",
    ),
    snippet(
        "output TCEntity",
        "write a TCEntity output",
        "One indicator for later playbook steps.",
        "'${1:prefix}.${2:indicator}': {'id': '', 'value': ${3:value}, 'type': '${4|Address,EmailAddress,File,Host,URL,ASN,CIDR|}'},",
    ),
    snippet(
        "output TCEntityArray",
        "write a TCEntityArray output",
        "Several indicators of one type.",
        "'${1:prefix}.${2:indicators}': [{'id': '', 'value': v, 'type': '${3|Address,EmailAddress,File,Host,URL|}'} for v in ${4:values}],",
    ),
    snippet(
        "output raw response",
        "write <slug>.response.json.raw",
        "The remote service's answer as received (the naming standard asks for it).",
        "'${1:prefix}.response.json.raw': ${2:raw},",
    ),
    snippet(
        "tcentity",
        "a TCEntity value",
        "{\"id\", \"value\", \"type\"} with a standard indicator type.",
        "{'id': '', 'value': ${1:value}, 'type': '${2|Address,EmailAddress,File,Host,URL,ASN,CIDR|}'}",
    ),
    snippet(
        "log",
        "write to the run's log",
        "Printed lines land in the run's log; never print secrets.",
        "print(f'${1:message}', flush=True)",
    ),
    snippet(
        "exit message",
        "set the exit message",
        "At most 255 characters, for people: what happened.",
        "self.exit_message = f'${1:Done}.'",
    ),
    snippet(
        "raise AppError",
        "fail the run with a message",
        "The message becomes the exit message; say what to do.",
        "raise AppError('${1:what went wrong and what to do}')",
    ),
    snippet(
        "http with retries",
        "an HTTP GET with a timeout and retries",
        "Retries timeouts, connection failures, 429 and 5xx with backoff; other answers are final.",
        "import time\nimport urllib.error\nimport urllib.request\n\n\ndef ${1:fetch}(url: str, timeout: float = ${2:10}, retries: int = ${3:2}) -> str:\n    \"\"\"The answer's text; AppError when the service does not answer.\"\"\"\n    last = ''\n    for attempt in range(retries + 1):\n        if attempt:\n            time.sleep(min(2 ** (attempt - 1), 8))\n        try:\n            with urllib.request.urlopen(urllib.request.Request(url, headers={'Accept': 'application/json'}), timeout=timeout) as response:\n                return response.read().decode('utf-8')\n        except urllib.error.HTTPError as err:\n            if err.code != 429 and err.code < 500:\n                raise AppError(f'the service answered {err.code} {err.reason}') from err\n            last = f'{err.code} {err.reason}'\n        except (urllib.error.URLError, TimeoutError, OSError) as err:\n            last = str(getattr(err, 'reason', err))\n    raise AppError(f'the service did not answer after {retries + 1} attempt(s): {last}')\n",
    ),
];

/// The built-in snippets as the editor's completion provider takes them.
pub fn built_in_json() -> String {
    serde_json::to_string(BUILT_IN).expect("snippets serialise")
}

/// The languages a user's snippet can be for: the editor's modes (Monaco language ids).
pub const LANGUAGES: &[&str] = &["python", "json", "markdown", "yaml", "plaintext"];
/// The longest label, in characters.
pub const MAX_LABEL: usize = 60;
/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 200;
/// The longest body, in bytes.
pub const MAX_BODY: usize = 16 * 1024;
/// How many snippets one user may keep.
pub const MAX_PER_USER: usize = 500;

/// A snippet a user wrote. `shared` ones are offered to every user; the others only to `owner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSnippet {
    pub id: i64,
    pub label: String,
    pub description: String,
    pub language: String,
    pub body: String,
    pub shared: bool,
    pub owner: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// What a user sends to add or change a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnippetDraft {
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// A Monaco language id from [`LANGUAGES`]; Python when absent.
    #[serde(default = "python")]
    pub language: String,
    pub body: String,
    #[serde(default)]
    pub shared: bool,
}

fn python() -> String {
    "python".to_owned()
}

impl SnippetDraft {
    /// The draft with its label and description trimmed, or what is wrong with it.
    pub fn checked(self) -> Result<SnippetDraft, String> {
        let label = self.label.trim().to_owned();
        let description = self.description.trim().to_owned();
        if label.is_empty() {
            return Err("a snippet needs a label".into());
        }
        if label.chars().count() > MAX_LABEL {
            return Err(format!("the label is longer than {MAX_LABEL} characters"));
        }
        if label.chars().chain(description.chars()).any(char::is_control) {
            return Err("the label and description must be single lines of text".into());
        }
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(format!("the description is longer than {MAX_DESCRIPTION} characters"));
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            return Err(format!("the language must be one of {}", LANGUAGES.join(", ")));
        }
        if self.body.trim().is_empty() {
            return Err("the snippet's body is empty".into());
        }
        if self.body.len() > MAX_BODY {
            return Err(format!("the body is larger than {} KB", MAX_BODY / 1024));
        }
        if self.body.contains('\0') {
            return Err("the body must be text".into());
        }
        Ok(SnippetDraft { label, description, ..self })
    }
}

/// One entry of the snippet picker and the completion list, whoever wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offered {
    pub label: String,
    /// Where it comes from: "built-in", "mine" or "shared by <owner>".
    pub detail: String,
    pub documentation: String,
    pub body: String,
}

/// What the editor offers in `language`, built-ins first, then the user's own, then shared ones
/// (`me` is the signed-in user's name).
pub fn offered(language: &str, user: &[UserSnippet], me: &str) -> Vec<Offered> {
    let built_in = BUILT_IN.iter().filter(|_| language == "python").map(|s| Offered {
        label: s.label.to_owned(),
        detail: format!("built-in: {}", s.detail),
        documentation: s.documentation.to_owned(),
        body: s.body.to_owned(),
    });
    built_in.chain(users_offered(language, user, me)).collect()
}

/// The users' snippets of `language`, the signed-in user's own first.
fn users_offered<'a>(language: &'a str, user: &'a [UserSnippet], me: &'a str) -> impl Iterator<Item = Offered> + 'a {
    let of_language = move || user.iter().filter(move |s| s.language == language);
    let mine = of_language().filter(move |s| s.owner == me);
    let shared = of_language().filter(move |s| s.owner != me);
    mine.chain(shared).map(move |s| Offered {
        label: s.label.clone(),
        detail: if s.owner == me { "mine".to_owned() } else { format!("shared by {}", s.owner) },
        documentation: s.description.clone(),
        body: s.body.clone(),
    })
}

/// The users' snippets of `language` as the completion provider takes them (the built-ins are
/// registered on their own, once).
pub fn user_completion_json(language: &str, user: &[UserSnippet], me: &str) -> String {
    serde_json::to_string(&users_offered(language, user, me).collect::<Vec<_>>()).expect("snippets serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_listed_once_and_their_placeholders_are_well_formed() {
        let mut labels: Vec<&str> = BUILT_IN.iter().map(|s| s.label).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), BUILT_IN.len(), "labels are unique");
        for snippet in BUILT_IN {
            // Every `${` starts a numbered placeholder that closes before the next one opens.
            let parts: Vec<&str> = snippet.body.split("${").skip(1).collect();
            assert!(!parts.is_empty(), "{}: Tab has somewhere to go", snippet.label);
            for part in parts {
                assert!(part.starts_with(|c: char| c.is_ascii_digit()), "{}: {part}", snippet.label);
                assert!(part.contains('}'), "{}: unclosed placeholder", snippet.label);
            }
        }
        assert!(built_in_json().contains("\"label\":\"tcentity\""));
    }

    fn draft(label: &str, language: &str, body: &str) -> SnippetDraft {
        SnippetDraft {
            label: label.into(),
            description: " Looks it up ".into(),
            language: language.into(),
            body: body.into(),
            shared: false,
        }
    }

    #[test]
    fn drafts_are_trimmed_and_refused_with_a_reason() {
        let ok = draft("  lookup  ", "python", "x = 1").checked().unwrap();
        assert_eq!((ok.label.as_str(), ok.description.as_str()), ("lookup", "Looks it up"));
        let refused = |d: SnippetDraft| d.checked().unwrap_err();
        assert!(refused(draft(" ", "python", "x")).contains("label"));
        assert!(refused(draft(&"l".repeat(61), "python", "x")).contains("60"));
        assert!(refused(draft("a\nb", "python", "x")).contains("single lines"));
        assert!(refused(draft("a", "rust", "x")).contains("python, json"));
        assert!(refused(draft("a", "python", "  \n")).contains("empty"));
        assert!(refused(draft("a", "python", &"x".repeat(MAX_BODY + 1))).contains("16 KB"));
        assert!(refused(draft("a", "json", "a\0b")).contains("text"));
    }

    #[test]
    fn offered_lists_built_ins_then_mine_then_shared_for_the_language() {
        let snippet = |id, label: &str, language: &str, owner: &str| UserSnippet {
            id,
            label: label.into(),
            description: String::new(),
            language: language.into(),
            body: "b".into(),
            shared: true,
            owner: owner.into(),
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        let users = [
            snippet(1, "theirs", "python", "bob"),
            snippet(2, "mine", "python", "ann"),
            snippet(3, "j", "json", "ann"),
        ];
        let python = offered("python", &users, "ann");
        assert_eq!(python.len(), BUILT_IN.len() + 2);
        assert!(python[0].detail.starts_with("built-in"));
        let tail: Vec<(&str, &str)> =
            python[BUILT_IN.len()..].iter().map(|o| (o.label.as_str(), o.detail.as_str())).collect();
        assert_eq!(tail, [("mine", "mine"), ("theirs", "shared by bob")]);
        let json = offered("json", &users, "ann");
        assert_eq!(json.iter().map(|o| o.label.as_str()).collect::<Vec<_>>(), ["j"]);
        assert!(!user_completion_json("python", &users, "ann").contains("built-in"));
    }
}
