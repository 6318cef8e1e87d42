// The little JavaScript the Rust bindings need around Monaco: loading its AMD build once from our
// own origin, and the few calls that take plain option objects. Everything else is called on the
// Monaco objects directly from Rust (see src/sys.rs).

let loading = null;

// Loads Monaco from `base` (the folder holding `vs/`) once; resolves to the `monaco` namespace.
export function loadMonaco(base) {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    const fail = (what) => {
      loading = null;
      reject(new Error(`the code editor could not be loaded (${what})`));
    };
    const script = document.createElement("script");
    script.src = `${base}/vs/loader.js`;
    script.async = true;
    script.onerror = () => fail(`${script.src} did not load`);
    script.onload = () => {
      const amdRequire = globalThis.require;
      amdRequire.config({ paths: { vs: `${base}/vs` } });
      amdRequire(
        ["vs/editor/editor.main"],
        () => {
          defineTheme(globalThis.monaco);
          resolve(globalThis.monaco);
        },
        (err) => fail(String(err)),
      );
    };
    document.head.appendChild(script);
  });
  return loading;
}

// Monaco's dark theme on the page's own colours (style/main.css: --bg, --bg-raised, --border).
function defineTheme(monaco) {
  monaco.editor.defineTheme("appbuilder-dark", {
    base: "vs-dark",
    inherit: true,
    rules: [],
    colors: {
      "editor.background": "#0d1117",
      "editorGutter.background": "#0d1117",
      "editor.lineHighlightBackground": "#161b2299",
      "editor.lineHighlightBorder": "#00000000",
      "editorWidget.background": "#161b22",
      "editorWidget.border": "#30363d",
      "diffEditor.unchangedRegionBackground": "#161b22",
    },
  });
}

const common = {
  theme: "appbuilder-dark",
  automaticLayout: true,
  fontSize: 13,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  renderWhitespace: "selection",
  tabSize: 4,
};

export function createEditor(element, readOnly) {
  return globalThis.monaco.editor.create(element, { ...common, model: null, readOnly });
}

export function createDiffEditor(element, sideBySide, originalEditable) {
  return globalThis.monaco.editor.createDiffEditor(element, {
    ...common,
    renderSideBySide: sideBySide,
    originalEditable,
    readOnly: false,
    useInlineViewWhenSpaceIsLimited: false,
    // Long runs of unchanged lines fold away, as in a code review.
    hideUnchangedRegions: { enabled: true },
  });
}

export function createModel(text, language, path) {
  const uri = globalThis.monaco.Uri.from({ scheme: "appbuilder", path: `/${path}` });
  const existing = globalThis.monaco.editor.getModel(uri);
  if (existing) existing.dispose();
  return globalThis.monaco.editor.createModel(text, language, uri);
}

export function setDiffModels(diffEditor, original, modified) {
  diffEditor.setModel({ original, modified });
}

export function setReadOnly(editor, readOnly) {
  editor.updateOptions({ readOnly });
}

export function setSideBySide(diffEditor, sideBySide) {
  diffEditor.updateOptions({ renderSideBySide: sideBySide });
}

export function revealLine(editor, line) {
  editor.revealLineInCenter(line);
  editor.setPosition({ lineNumber: line, column: 1 });
}

// Inserts `body` (snippet syntax) at the cursor through Monaco's snippet controller, so its Tab
// stops work as they do for a completion.
export function insertSnippet(editor, body) {
  editor.focus();
  const controller = editor.getContribution("snippetController2");
  if (controller) {
    controller.insert(body);
  } else {
    editor.trigger("appbuilder", "type", { text: body });
  }
}

export function selectedText(editor) {
  const model = editor.getModel();
  const selection = editor.getSelection();
  return model && selection ? model.getValueInRange(selection) : "";
}

// Calls `callback(line, column)` when the cursor moves; returns the listener's IDisposable.
export function onCursor(editor, callback) {
  return editor.onDidChangeCursorPosition((e) => callback(e.position.lineNumber, e.position.column));
}

// Replaces the markers (squiggles) of `owner` on `model`: `markers` is a list of
// {line, severity: "error" | "warning" | "info", message, code}.
export function setMarkers(model, owner, markers) {
  const severity = globalThis.monaco.MarkerSeverity;
  globalThis.monaco.editor.setModelMarkers(model, owner, markers.map((m) => ({
    startLineNumber: m.line,
    endLineNumber: m.line,
    startColumn: 1,
    endColumn: model.getLineMaxColumn(Math.min(m.line, model.getLineCount())),
    severity: m.severity === "error" ? severity.Error : m.severity === "warning" ? severity.Warning : severity.Info,
    message: m.message,
    code: m.code,
  })));
}


// Offers `itemsJson` (a JSON list of {label, detail, documentation, body}; `body` in Monaco's
// snippet syntax, `${1:name}` for the places Tab visits) in the completion list of `language`.
// Returns the provider's IDisposable.
export function registerSnippets(language, itemsJson) {
  const items = JSON.parse(itemsJson);
  const languages = globalThis.monaco.languages;
  return languages.registerCompletionItemProvider(language, {
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: word.startColumn,
        endColumn: word.endColumn,
      };
      return {
        suggestions: items.map((item) => ({
          label: item.label,
          kind: languages.CompletionItemKind.Snippet,
          detail: item.detail,
          documentation: item.documentation,
          insertText: item.body,
          insertTextRules: languages.CompletionItemInsertTextRule.InsertAsSnippet,
          range,
        })),
      };
    },
  });
}

// The app's own names in `language`'s completions, where they fit: `itemsJson` is a JSON list of
// {label, detail, where: "input" | "output"}. Param names are offered inside `inputs.get('…` or
// `inputs['…`; output names inside any other string (a key of the dict `App.run()` returns).
// Returns the provider's IDisposable.
export function registerContractNames(language, itemsJson) {
  const items = JSON.parse(itemsJson);
  const languages = globalThis.monaco.languages;
  return languages.registerCompletionItemProvider(language, {
    triggerCharacters: ["'", '"', "."],
    provideCompletionItems(model, position) {
      const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
      const input = before.match(/inputs(?:\.get\(\s*|\[\s*)['"]([\w.]*)$/);
      const string = before.match(/['"]([\w.\-\[\]]*)$/);
      const where = input ? "input" : string ? "output" : null;
      if (!where) return { suggestions: [] };
      const typed = (input || string)[1];
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: position.column - typed.length,
        endColumn: position.column,
      };
      return {
        suggestions: items
          .filter((item) => item.where === where)
          .map((item) => ({
            label: item.label,
            kind: where === "input" ? languages.CompletionItemKind.Variable : languages.CompletionItemKind.Field,
            detail: item.detail,
            insertText: item.label,
            range,
          })),
      };
    },
  });
}
