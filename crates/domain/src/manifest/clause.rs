//! Reading a layout.json `display` clause (a SQLite WHERE expression) into tokens: one lexer for
//! the checker ([`super::sql`]) and the run form's evaluator ([`super::display`]).

/// A token of a clause.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A bare word: a keyword or an input's name.
    Word(String),
    /// A quoted name: `"name"`, `` `name` `` or `[name]` — always an input's name.
    Name(String),
    /// A quoted text, with `''` read as one quote.
    Text(String),
    /// A number as written (`12`, `.5`, `1e3`, `0x1F`).
    Number(String),
    Op(&'static str),
}

/// The tokens of `text`, or what stops it being read.
pub(crate) fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("a quoted text is not closed (missing ')".into()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    Some('\'') => break,
                    Some(&other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            i += 1;
            out.push(Token::Text(text));
        } else if c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let start = i + 1;
            i = start;
            while chars.get(i).is_some_and(|&x| x != close) {
                i += 1;
            }
            if i >= chars.len() {
                return Err(format!("a quoted name is not closed (missing {close})"));
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
            i += 1;
        } else if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            while chars.get(i).is_some_and(|x| x.is_ascii_alphanumeric() || *x == '.') {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while chars.get(i).is_some_and(|x| x.is_alphanumeric() || *x == '_' || *x == '$') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["<=", ">=", "<>", "!=", "==", "||"].into_iter().find(|op| *op == two);
            if let Some(op) = op {
                out.push(Token::Op(op));
                i += 2;
            } else {
                let op =
                    ["=", "<", ">", "(", ")", ",", "+", "-", "*", "/", "%"].into_iter().find(|op| op.starts_with(c));
                match op {
                    Some(op) => out.push(Token::Op(op)),
                    None => return Err(format!("unexpected character {c:?}")),
                }
                i += 1;
            }
        }
    }
    Ok(out)
}
