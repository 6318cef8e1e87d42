//! The file tree's shape: folders and files from the flat list of paths git keeps.

/// A folder or a file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Folder { name: String, path: String, children: Vec<Node> },
    File { name: String, path: String },
}

/// The tree of `paths`: folders before files, each sorted by name, case-insensitively, as file
/// managers and VS Code show them. A path ending in `/` is a folder that holds no file yet.
pub fn build<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<Node> {
    let mut root = Vec::new();
    for path in paths {
        insert(&mut root, "", path);
    }
    sort(&mut root);
    root
}

fn insert(level: &mut Vec<Node>, prefix: &str, rest: &str) {
    match rest.split_once('/') {
        None if rest.is_empty() => {}
        None => level.push(Node::File { name: rest.to_owned(), path: format!("{prefix}{rest}") }),
        Some((folder, rest)) => {
            let path = format!("{prefix}{folder}");
            let position = level.iter().position(|n| matches!(n, Node::Folder { path: p, .. } if *p == path));
            let index = position.unwrap_or_else(|| {
                level.push(Node::Folder { name: folder.to_owned(), path: path.clone(), children: Vec::new() });
                level.len() - 1
            });
            if let Node::Folder { children, .. } = &mut level[index] {
                insert(children, &format!("{path}/"), rest);
            }
        }
    }
}

fn sort(level: &mut [Node]) {
    level.sort_by_cached_key(|node| match node {
        Node::Folder { name, .. } => (0, name.to_lowercase(), name.clone()),
        Node::File { name, .. } => (1, name.to_lowercase(), name.clone()),
    });
    for node in level {
        if let Node::Folder { children, .. } = node {
            sort(children);
        }
    }
}

/// Every folder that holds `path`, outermost first (to unfold the tree down to a file).
pub fn ancestors(path: &str) -> Vec<String> {
    let mut folders = Vec::new();
    let mut end = 0;
    while let Some(slash) = path[end..].find('/') {
        end += slash;
        folders.push(path[..end].to_owned());
        end += 1;
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(level: &[Node]) -> Vec<&str> {
        level
            .iter()
            .map(|n| match n {
                Node::Folder { name, .. } | Node::File { name, .. } => name.as_str(),
            })
            .collect()
    }

    #[test]
    fn folders_come_first_and_names_sort_without_case() {
        let tree = build(["run.py", "README.md", "lib/b.py", "app.py", "lib/A.py", "Docs/x.md"]);
        assert_eq!(names(&tree), vec!["Docs", "lib", "app.py", "README.md", "run.py"]);
        let Node::Folder { children, path, .. } = &tree[1] else { panic!("lib is a folder") };
        assert_eq!(path, "lib");
        assert_eq!(names(children), vec!["A.py", "b.py"]);
        assert!(matches!(&children[0], Node::File { path, .. } if path == "lib/A.py"));
    }

    #[test]
    fn nested_folders_share_one_node() {
        let tree = build(["a/b/c.py", "a/b/d.py", "a/e.py"]);
        assert_eq!(tree.len(), 1);
        let Node::Folder { children, .. } = &tree[0] else { panic!() };
        assert_eq!(names(children), vec!["b", "e.py"]);
    }

    #[test]
    fn a_path_ending_in_a_slash_is_an_empty_folder() {
        let tree = build(["new/", "a.py"]);
        assert_eq!(names(&tree), vec!["new", "a.py"]);
        let Node::Folder { children, .. } = &tree[0] else { panic!() };
        assert!(children.is_empty());
    }

    #[test]
    fn ancestors_list_the_folders_down_to_a_file() {
        assert_eq!(ancestors("a/b/c.py"), vec!["a".to_owned(), "a/b".to_owned()]);
        assert!(ancestors("top.py").is_empty());
    }
}
