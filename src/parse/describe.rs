//! Turning pest's failure into a sentence with a span and hints, never a rule name.

use super::{ParseError, Rule, is_builtin_name, unclosed_bar};

pub(super) fn describe(text: &str, e: &pest::error::Error<Rule>) -> ParseError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((a, _)) => a,
    };
    let before = text[..pos].trim_end();
    let prev = before.chars().last();
    let prev_op = match prev {
        Some('*') if before.ends_with("**") => Some("**".to_string()),
        Some(c @ ('+' | '-' | '*' | '/' | '^' | '(' | ',' | '·' | '⋅' | '×' | '−' | '√')) => {
            Some(c.to_string())
        }
        _ => None,
    };
    let Some(here) = text[pos..].chars().next() else {
        return at_end(text, prev_op);
    };
    let span = pos..pos + here.len_utf8();
    let starts_operand = here.is_alphabetic()
        || here.is_ascii_digit()
        || matches!(here, '_' | '(' | '.' | '√' | '|' | '∂');
    if let Some(op) = prev_op
        && !starts_operand
    {
        let what = if op == "(" {
            "expected an expression after `(`".to_string()
        } else {
            format!("expected an operand after `{op}`")
        };
        return ParseError::new(format!("{what}, found `{here}`"), span);
    }
    if prev.is_none() && !starts_operand && "*/^),=·⋅×".contains(here) {
        return ParseError::new(format!("expected an expression, found `{here}`"), span);
    }
    match here {
        ')' => ParseError::new("unmatched `)`", span),
        '=' => ParseError::new("unexpected `=`: an expression is not an equation", span)
            .note("a constraint goes in --given, as in --given t=x"),
        '[' | ']' | '{' | '}' => ParseError::new(format!("unexpected `{here}`"), span)
            .note("group with parentheses `( )`"),
        '|' => ParseError::new("unexpected `|`", span)
            .note("`|u|` is abs(u); after a number or a name, write the product with `*`: `2*|x|`"),
        '^' if prev.is_some_and(|c| "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c)) => {
            ParseError::new("expected an operator before `^`", span)
                .note("a power of a power needs parentheses: `(x²)^3`")
        }
        _ if starts_operand => missing_operator(text, pos, before, prev),
        c if c.is_whitespace() => ParseError::new("unexpected whitespace", span),
        '÷' => ParseError::new("unexpected character `÷`", span).note("divide with `/`"),
        '∛' | '∜' => ParseError::new(format!("unexpected character `{here}`"), span)
            .note("write other roots as powers: `x^(1/3)`"),
        c => ParseError::new(format!("unexpected character `{c}`"), span),
    }
}

/// The input ended too soon: after an operator, inside `(` or `|`, or elsewhere.
fn at_end(text: &str, prev_op: Option<String>) -> ParseError {
    if let Some(op) = prev_op {
        let msg = if op == "(" {
            "expected an expression after `(`".to_string()
        } else {
            format!("expected an operand after `{op}`")
        };
        return ParseError::new(msg, text.len()..text.len());
    }
    if let Some(open) = unclosed_paren(text) {
        return ParseError::new("unclosed `(`", open..open + 1).note("add the missing `)`");
    }
    if let Some(open) = unclosed_bar(text) {
        return ParseError::new("unclosed `|`", open..open + 1)
            .note("`|u|` is abs(u): add the closing `|`");
    }
    ParseError::new("unexpected end of the expression", text.len()..text.len())
}

/// An operand right after another: `x y`, `sin x`, `1.2.3`.
fn missing_operator(text: &str, pos: usize, before: &str, prev: Option<char>) -> ParseError {
    let part_of_token = |c: &char| c.is_alphanumeric() || *c == '_' || *c == '.';
    let rest = &text[pos..];
    let token: String = rest.chars().take_while(part_of_token).collect();
    let token = if token.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        token
    };
    let mut err = ParseError::new(
        format!("expected an operator before `{token}`"),
        pos..pos + token.len(),
    );
    let Some(p) = prev else {
        return err;
    };
    let left: String = before
        .chars()
        .rev()
        .take_while(part_of_token)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let is_fn = is_builtin_name(&left);
    if is_fn {
        err = err.note(format!(
            "a function takes its argument in parentheses: `{left}({token})`"
        ));
    } else if left.contains('.') || token.starts_with('.') {
        err = err.note("a number has at most one decimal point");
    } else if p == ')' || !left.is_empty() {
        let left = if p == ')' { ")".to_string() } else { left };
        err = err.note(format!(
            "for a product write `{left}*{token}`; only a number directly before a name or \
             `(` multiplies implicitly (`2x`)"
        ));
    }
    err
}

fn unclosed_paren(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' => open.push(i),
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}
