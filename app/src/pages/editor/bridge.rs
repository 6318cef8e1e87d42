//! The one place the editor page touches Monaco: a code editor and one text model per open file
//! (each keeps its own undo history, as tabs in VS Code do). On the server the bridge is never
//! built, so it compiles to nothing there.

use leptos::prelude::*;

#[cfg(feature = "browser")]
pub use client::Bridge;

pub use crate::components::client::{ClientStorage, client_value};

#[cfg(not(feature = "browser"))]
pub use server::Bridge;

#[cfg(feature = "browser")]
mod client {
    use monaco::{CodeEditor, Monaco, TextModel, language_for};
    use std::collections::HashMap;

    /// A Monaco editor and the models of the files opened in it.
    pub struct Bridge {
        monaco: Monaco,
        /// Taken out first on drop: Monaco wants an editor gone before the models it shows.
        editor: Option<CodeEditor>,
        models: HashMap<String, TextModel>,
        shown: Option<String>,
        /// The built-in Python snippets in the completion list while the editor lives.
        _snippets: monaco::Snippets,
        /// The app's param and output names in Python completions, with the text they came from.
        names: Option<(String, monaco::Snippets)>,
        /// Users' snippets in the completion list, one provider per language.
        user_snippets: Vec<monaco::Snippets>,
    }

    impl Drop for Bridge {
        fn drop(&mut self) {
            self.editor.take();
            self.models.clear();
        }
    }

    impl Bridge {
        /// Loads Monaco and puts an editor into `container`.
        pub async fn start(
            container: web_sys::HtmlElement,
            read_only: bool,
            on_cursor: impl FnMut(u32, u32) + 'static,
        ) -> Result<Bridge, String> {
            let monaco = Monaco::load().await.map_err(|err| err.to_string())?;
            let mut editor = monaco.editor(&container, read_only);
            editor.on_cursor(on_cursor);
            let snippets = monaco.snippets("python", &domain::snippets::built_in_json());
            Ok(Bridge {
                monaco,
                models: HashMap::new(),
                editor: Some(editor),
                shown: None,
                _snippets: snippets,
                names: None,
                user_snippets: Vec::new(),
            })
        }

        /// Shows `path`, making its model from `text` the first time; `on_edit` gets every new text.
        pub fn show(&mut self, path: &str, text: &str, on_edit: impl FnMut(String) + 'static) {
            if !self.models.contains_key(path) {
                let mut model = self.monaco.model(text, language_for(path), path);
                model.on_change(on_edit);
                self.models.insert(path.to_owned(), model);
            }
            if self.shown.as_deref() != Some(path)
                && let Some(editor) = &self.editor
            {
                editor.show(self.models.get(path));
                self.shown = Some(path.to_owned());
            }
        }

        /// Shows no file.
        pub fn show_nothing(&mut self) {
            if let Some(editor) = &self.editor {
                editor.show(None);
            }
            self.shown = None;
        }

        /// Replaces the text of `path`'s model, if it has one (the server's text took over).
        pub fn replace_text(&self, path: &str, text: &str) {
            if let Some(model) = self.models.get(path)
                && model.value() != text
            {
                model.set_value(text);
            }
        }

        /// Forgets `path`'s model (closed, deleted or renamed file).
        pub fn forget(&mut self, path: &str) {
            if self.shown.as_deref() == Some(path) {
                self.show_nothing();
            }
            self.models.remove(path);
        }

        /// Forgets every model whose file is not in `keep`.
        pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
            let gone: Vec<String> = self.models.keys().filter(|p| !keep(p)).cloned().collect();
            for path in gone {
                self.forget(&path);
            }
        }

        pub fn focus(&self) {
            if let Some(editor) = &self.editor {
                editor.focus();
            }
        }

        /// Moves the cursor of the shown file to `line` and the focus into the editor.
        pub fn reveal_line(&self, line: u32) {
            if let Some(editor) = &self.editor {
                editor.reveal_line(line);
                editor.focus();
            }
        }

        /// Sets every model's squiggles to `markers_for(path)`.
        pub fn set_markers(&self, markers_for: &dyn Fn(&str) -> Vec<monaco::Marker>) {
            for (path, model) in &self.models {
                model.set_markers("appbuilder", &markers_for(path));
            }
        }

        /// Inserts a snippet at the cursor of the shown file.
        pub fn insert_snippet(&self, body: &str) {
            if let Some(editor) = &self.editor {
                editor.insert_snippet(body);
            }
        }

        /// The selected text of the shown file.
        pub fn selected_text(&self) -> String {
            self.editor.as_ref().map(CodeEditor::selected_text).unwrap_or_default()
        }

        /// Offers users' snippets (`(language, JSON list)` pairs, see
        /// `domain::snippets::user_completion_json`) in completions instead of the previous ones.
        pub fn set_user_snippets(&mut self, by_language: &[(&str, String)]) {
            self.user_snippets.clear();
            for (language, json) in by_language {
                self.user_snippets.push(self.monaco.snippets(language, json));
            }
        }

        /// Offers these names (JSON, see `domain::manifest::python_contract::completion_names`)
        /// in Python completions instead of the previous ones.
        pub fn set_contract_names(&mut self, names_json: &str) {
            if self.names.as_ref().is_some_and(|(json, _)| json == names_json) {
                return;
            }
            self.names = None;
            self.names = Some((names_json.to_owned(), self.monaco.contract_names("python", names_json)));
        }
    }
}

/// What a [`DiffHost`] shows: `original` (left) against `modified` (right) for `path`. The models
/// are named `<label>/<n>/<path>` after the two `labels` (tests find them by these names).
pub struct Comparison {
    pub labels: [&'static str; 2],
    pub path: String,
    pub original: String,
    pub modified: String,
    /// Whether the right side can be edited.
    pub editable: bool,
    pub side_by_side: bool,
}

/// A Monaco diff editor comparing two texts, made on first use (in the browser only).
#[derive(Default)]
pub struct DiffHost {
    #[cfg(feature = "browser")]
    editor: Option<monaco::DiffEditor>,
    #[cfg(feature = "browser")]
    shown: u32,
}

impl DiffHost {
    /// Shows `comparison` inside `host`.
    #[cfg_attr(not(feature = "browser"), allow(unused_variables))]
    pub async fn show(
        slot: StoredValue<DiffHost, ClientStorage>,
        host: NodeRef<leptos::html::Div>,
        comparison: Comparison,
    ) -> Result<(), String> {
        let Comparison { labels, path, original, modified, editable, side_by_side } = comparison;
        #[cfg(feature = "browser")]
        {
            let monaco = monaco::Monaco::load().await.map_err(|err| err.to_string())?;
            // The page may be gone by the time Monaco is loaded: then there is nothing to do.
            let Some(element) = host.try_get_untracked().flatten() else { return Ok(()) };
            let element: web_sys::HtmlElement = element.into();
            slot.try_update_value(|host| {
                // Fresh model names each time: a model must not be disposed while shown.
                host.shown += 1;
                let n = host.shown;
                let editor = host.editor.get_or_insert_with(|| monaco.diff_editor(&element, side_by_side, false));
                editor.set_side_by_side(side_by_side);
                editor.set_read_only(!editable);
                let language = monaco::language_for(&path);
                editor.compare(
                    monaco.model(&original, language, &format!("{}/{n}/{path}", labels[0])),
                    monaco.model(&modified, language, &format!("{}/{n}/{path}", labels[1])),
                );
            });
        }
        Ok(())
    }

    /// The right side's text, with the user's edits.
    pub fn modified_text(&self) -> Option<String> {
        #[cfg(feature = "browser")]
        return self.editor.as_ref().and_then(monaco::DiffEditor::modified_text);
        #[cfg(not(feature = "browser"))]
        None
    }

    pub fn set_side_by_side(&self, side_by_side: bool) {
        #[cfg(feature = "browser")]
        if let Some(editor) = &self.editor {
            editor.set_side_by_side(side_by_side);
        }
        #[cfg(not(feature = "browser"))]
        let _ = side_by_side;
    }
}

#[cfg(not(feature = "browser"))]
mod server {
    /// On the server there is no editor; the page only renders its container.
    pub struct Bridge;

    impl Bridge {
        pub fn show(&mut self, _path: &str, _text: &str, _on_edit: impl FnMut(String) + 'static) {}
        pub fn show_nothing(&mut self) {}
        pub fn replace_text(&self, _path: &str, _text: &str) {}
        pub fn forget(&mut self, _path: &str) {}
        pub fn retain(&mut self, _keep: impl Fn(&str) -> bool) {}
        pub fn focus(&self) {}
        pub fn reveal_line(&self, _line: u32) {}
        pub fn set_markers(&self, _markers_for: &dyn Fn(&str) -> Vec<monaco::Marker>) {}
        pub fn set_contract_names(&mut self, _names_json: &str) {}
        pub fn insert_snippet(&self, _body: &str) {}
        pub fn selected_text(&self) -> String {
            String::new()
        }
        pub fn set_user_snippets(&mut self, _by_language: &[(&str, String)]) {}
    }
}
