//! Checks layout.json `display` clauses: each must be a valid SQLite WHERE clause whose column
//! names are the app's input names (tcex runs them against a table with one column per input).
//! A small recursive-descent parser over the expression subset display clauses use: comparisons,
//! IN lists, LIKE, IS [NOT] NULL, BETWEEN, AND/OR/NOT, arithmetic and parentheses.

use super::clause::{Token, tokens};

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    columns: &'a [String],
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_word(word);
        if found {
            self.at += 1;
        }
        found
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let found = matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.eat_op(op) { Ok(()) } else { Err(format!("expected {op} {}", self.here())) }
    }

    fn here(&self) -> String {
        match self.tokens.get(self.at) {
            None => "at the end".into(),
            Some(Token::Word(w)) | Some(Token::Name(w)) => format!("before {w:?}"),
            Some(Token::Op(o)) => format!("before {o:?}"),
            Some(_) => "before a value".into(),
        }
    }

    fn or(&mut self) -> Result<(), String> {
        self.and()?;
        while self.eat_word("OR") {
            self.and()?;
        }
        Ok(())
    }

    fn and(&mut self) -> Result<(), String> {
        self.not()?;
        while self.eat_word("AND") {
            self.not()?;
        }
        Ok(())
    }

    fn not(&mut self) -> Result<(), String> {
        if self.eat_word("NOT") {
            return self.not();
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<(), String> {
        self.sum()?;
        for op in ["=", "==", "!=", "<>", "<", "<=", ">", ">="] {
            if self.eat_op(op) {
                return self.sum();
            }
        }
        if self.eat_word("IS") {
            self.eat_word("NOT");
            return self.sum();
        }
        let negated = self.eat_word("NOT");
        if self.eat_word("IN") {
            self.expect_op("(")?;
            self.or()?;
            while self.eat_op(",") {
                self.or()?;
            }
            return self.expect_op(")");
        }
        if self.eat_word("LIKE") || self.eat_word("GLOB") {
            return self.sum();
        }
        if self.eat_word("BETWEEN") {
            self.sum()?;
            if !self.eat_word("AND") {
                return Err(format!("BETWEEN needs AND {}", self.here()));
            }
            return self.sum();
        }
        if negated { Err(format!("NOT must be followed by IN, LIKE or BETWEEN {}", self.here())) } else { Ok(()) }
    }

    fn sum(&mut self) -> Result<(), String> {
        self.primary()?;
        while ["+", "-", "*", "/", "%", "||"].into_iter().any(|op| self.eat_op(op)) {
            self.primary()?;
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<(), String> {
        if self.eat_op("(") {
            self.or()?;
            return self.expect_op(")");
        }
        if self.eat_op("-") || self.eat_op("+") {
            return self.primary();
        }
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| "the clause ends too early".to_owned())?;
        self.at += 1;
        match token {
            Token::Text(_) | Token::Number(_) => Ok(()),
            Token::Word(word) if ["NULL", "TRUE", "FALSE"].iter().any(|k| word.eq_ignore_ascii_case(k)) => Ok(()),
            Token::Word(name) | Token::Name(name) => {
                if self.columns.iter().any(|c| c.eq_ignore_ascii_case(&name)) {
                    Ok(())
                } else {
                    Err(format!("{name:?} is not an input of this app"))
                }
            }
            Token::Op(op) => Err(format!("unexpected {op:?}")),
        }
    }
}

/// Checks `clause` against the input names `columns`; the error says what is wrong.
pub fn check_display(clause: &str, columns: &[String]) -> Result<(), String> {
    let tokens = tokens(clause)?;
    if tokens.is_empty() {
        return Err("the clause is empty".into());
    }
    let mut parser = Parser { tokens, at: 0, columns };
    parser.or()?;
    if parser.at < parser.tokens.len() {
        return Err(format!("unexpected text {}", parser.here()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_display;

    fn cols() -> Vec<String> {
        ["tc_action", "count", "api_key"].map(String::from).to_vec()
    }

    #[test]
    fn clauses_display_conditions_use_are_accepted() {
        for ok in [
            "tc_action in ('Shout')",
            "tc_action IN ('A', 'B''s') AND count > 3",
            "NOT (api_key IS NULL) OR tc_action = 'x'",
            "tc_action not in ('a') and count between 1 and 10",
            "\"tc_action\" LIKE 'Sh%'",
            "count + 1 >= 2",
            "api_key is not null",
        ] {
            assert_eq!(check_display(ok, &cols()), Ok(()), "{ok}");
        }
    }

    #[test]
    fn broken_clauses_say_what_is_wrong() {
        let err = |clause: &str| check_display(clause, &cols()).unwrap_err();
        assert!(err("action in ('x')").contains("\"action\" is not an input"));
        assert!(err("tc_action in ('x'").contains("expected )"));
        assert!(err("tc_action = 'x").contains("not closed"));
        assert!(err("tc_action = = 'x'").contains("unexpected"));
        assert!(err("").contains("empty"));
        assert!(err("tc_action 'x'").contains("unexpected text"));
        assert!(err("count between 1").contains("BETWEEN needs AND"));
    }
}
