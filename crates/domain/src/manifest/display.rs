//! Evaluating layout.json `display` clauses against the values of a run form, so the form shows
//! what the platform's wizard would: `tc_action in ('Lookup', 'Report')`, `a = 'x' AND NOT b`,
//! `x IS NULL`, `name LIKE 'ab%'`, comparisons and parentheses. Values are text (Booleans as
//! `true`/`false`, empty fields as NULL). A clause that cannot be read shows its field: hiding an
//! input by mistake is worse than showing one.

use super::clause::{Token, tokens};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Number(n) => *n != 0.0,
            Val::Text(t) => t.parse::<f64>().map(|n| n != 0.0).unwrap_or(false) || t == "true",
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Val::Null => None,
            Val::Text(t) => Some(t.clone()),
            Val::Number(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
        }
    }

    fn equals(&self, other: &Val) -> Option<bool> {
        match (self, other) {
            (Val::Null, _) | (_, Val::Null) => None,
            (Val::Number(a), Val::Number(b)) => Some(a == b),
            (Val::Number(a), Val::Text(t)) | (Val::Text(t), Val::Number(a)) => {
                Some(t.parse::<f64>().is_ok_and(|b| b == *a))
            }
            (a, b) => Some(a.text() == b.text()),
        }
    }
}

struct Eval<'a> {
    tokens: Vec<Token>,
    at: usize,
    values: &'a HashMap<String, String>,
}

impl Eval<'_> {
    fn word(&mut self, word: &str) -> bool {
        if matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn op(&mut self, op: &str) -> bool {
        if matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<Val> {
        let mut left = self.and()?;
        while self.word("OR") {
            let right = self.and()?;
            left = Val::Bool(left.truthy() || right.truthy());
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Val> {
        let mut left = self.not()?;
        while self.word("AND") {
            let right = self.not()?;
            left = Val::Bool(left.truthy() && right.truthy());
        }
        Some(left)
    }

    fn not(&mut self) -> Option<Val> {
        if self.word("NOT") {
            return Some(Val::Bool(!self.not()?.truthy()));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Option<Val> {
        let left = self.primary()?;
        if self.word("IS") {
            let negated = self.word("NOT");
            if !self.word("NULL") {
                return None;
            }
            return Some(Val::Bool((left == Val::Null) != negated));
        }
        let negated = self.word("NOT");
        if self.word("IN") {
            if !self.op("(") {
                return None;
            }
            let mut hit = false;
            loop {
                let item = self.primary()?;
                hit |= left.equals(&item) == Some(true);
                if self.op(")") {
                    break;
                }
                if !self.op(",") {
                    return None;
                }
            }
            return Some(Val::Bool(hit != negated));
        }
        if self.word("LIKE") {
            let pattern = self.primary()?.text()?;
            let hit = left.text().is_some_and(|t| like(&t.to_lowercase(), &pattern.to_lowercase()));
            return Some(Val::Bool(hit != negated));
        }
        if negated {
            return None;
        }
        for op in ["==", "=", "!=", "<>", "<=", ">=", "<", ">"] {
            if self.op(op) {
                let right = self.primary()?;
                let result = match op {
                    "=" | "==" => left.equals(&right),
                    "!=" | "<>" => left.equals(&right).map(|e| !e),
                    _ => {
                        let (a, b) = (left.text()?.parse::<f64>().ok()?, right.text()?.parse::<f64>().ok()?);
                        Some(match op {
                            "<" => a < b,
                            ">" => a > b,
                            "<=" => a <= b,
                            _ => a >= b,
                        })
                    }
                };
                return Some(result.map_or(Val::Null, Val::Bool));
            }
        }
        Some(left)
    }

    fn primary(&mut self) -> Option<Val> {
        let token = self.tokens.get(self.at)?.clone();
        self.at += 1;
        match token {
            Token::Text(t) => Some(Val::Text(t)),
            Token::Number(n) => n.parse().ok().map(Val::Number),
            Token::Word(w) if w.eq_ignore_ascii_case("NULL") => Some(Val::Null),
            Token::Word(w) if w.eq_ignore_ascii_case("TRUE") => Some(Val::Bool(true)),
            Token::Word(w) if w.eq_ignore_ascii_case("FALSE") => Some(Val::Bool(false)),
            Token::Word(name) | Token::Name(name) => {
                Some(self.values.get(&name).filter(|v| !v.is_empty()).map_or(Val::Null, |v| Val::Text(v.clone())))
            }
            Token::Op("(") => {
                let inner = self.or()?;
                self.op(")").then_some(inner)
            }
            Token::Op(_) => None,
        }
    }
}

/// SQL LIKE with `%` and `_`.
fn like(text: &str, pattern: &str) -> bool {
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    fn go(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&t[i..], &p[1..])),
            Some('_') => !t.is_empty() && go(&t[1..], &p[1..]),
            Some(c) => t.first() == Some(c) && go(&t[1..], &p[1..]),
        }
    }
    go(&t, &p)
}

/// Whether a field with this `display` clause shows, given the form's current values.
pub fn visible(clause: &str, values: &HashMap<String, String>) -> bool {
    let Ok(tokens) = tokens(clause) else { return true };
    let mut eval = Eval { tokens, at: 0, values };
    match eval.or() {
        Some(result) if eval.at == eval.tokens.len() => result.truthy(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn clauses_follow_sqlite_on_the_form_values() {
        let v = values(&[("tc_action", "Lookup"), ("verbose", "true"), ("count", "5"), ("empty", "")]);
        assert!(visible("tc_action in ('Lookup', 'Report')", &v));
        assert!(!visible("tc_action in ('Report')", &v));
        assert!(visible("tc_action NOT IN ('Report')", &v));
        assert!(visible("tc_action = 'Lookup' AND verbose = 'true'", &v));
        assert!(!visible("tc_action = 'Lookup' AND NOT verbose = 'true'", &v));
        assert!(visible("(tc_action = 'x' OR count > 3)", &v));
        assert!(visible("empty IS NULL", &v));
        assert!(!visible("empty = ''", &v), "NULL compares to nothing");
        assert!(visible("tc_action LIKE 'look%'", &v));
        assert!(visible("\"tc_action\" != 'Report'", &v));
        assert!(visible("it's broken (", &v), "an unreadable clause shows its field");
        // Readable clauses that hide the field (an unreadable one would show it).
        assert!(!visible("count > 1e3", &v), "1e3 is a number");
        assert!(!visible("count < .5", &v), ".5 is a number");
        assert!(!visible("[tc_action] = 'Report'", &v), "[name] is an input");
        assert!(!visible("tc_action = 'it''s'", &v));
        assert!(visible("q = 'it''s'", &values(&[("q", "it's")])), "'' is one quote inside a text");
        assert!(!visible("\"NULL\" IS NULL", &values(&[("NULL", "set")])), "a quoted name is an input, not NULL");
    }
}
