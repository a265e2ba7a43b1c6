//! ReqIF's XHTML attribute values as plain text, and plain text as XHTML.
//!
//! Block elements (`p`, `div`, headings, list items, table rows) become lines, list items
//! start with `- `, `br` is a line break, runs of white space in running text are one space
//! (not in `pre`), and objects (`<object data="x.png">`) keep their name in brackets.

use super::xml::{Element, Node};

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "table"
            | "tr"
            | "pre"
            | "blockquote"
            | "dl"
            | "dt"
            | "dd"
    )
}

fn walk(element: &Element, pre: bool, out: &mut String) {
    let name = element.name.as_str();
    let block = is_block(name);
    let paragraph = name == "p" || name.starts_with('h') && name.len() == 2;
    if block {
        out.push_str(if paragraph { PARAGRAPH } else { "\n" });
    }
    match name {
        "li" => out.push_str("- "),
        "br" => out.push('\n'),
        "td" | "th" => out.push(' '),
        "object" | "img" => {
            let label = element
                .attribute("alt")
                .or_else(|| element.attribute("name"))
                .or_else(|| element.attribute("data"))
                .or_else(|| element.attribute("src"));
            if let Some(label) = label {
                out.push_str(&format!("[{label}]"));
            }
            // An object's children are its fallback content: the label stands for it.
            return;
        }
        _ => {}
    }
    let pre = pre || name == "pre";
    for child in &element.children {
        match child {
            Node::Element(e) => walk(e, pre, out),
            Node::Text(text) if pre => out.push_str(&text.replace('\n', "\u{1}")),
            Node::Text(text) => {
                let mut last_space = out.ends_with([' ', '\n']);
                for c in text.chars() {
                    if c.is_whitespace() && c != '\u{a0}' {
                        if !last_space {
                            out.push(' ');
                            last_space = true;
                        }
                    } else {
                        out.push(c);
                        last_space = false;
                    }
                }
            }
        }
    }
    if block {
        out.push_str(if paragraph { PARAGRAPH } else { "\n" });
    }
}

/// A paragraph break: a line of its own holding only this marker.
const PARAGRAPH: &str = "\n\u{2}\n";

/// The plain text of an XHTML value (the children of `THE-VALUE`).
pub fn to_text(value: &Element) -> String {
    let mut out = String::new();
    for child in &value.children {
        match child {
            Node::Element(e) => walk(e, false, &mut out),
            Node::Text(t) => out.push_str(t.trim()),
        }
    }
    // Lines trimmed; empty lines dropped; one blank line where a paragraph ends, none at
    // the ends.
    let mut lines: Vec<String> = Vec::new();
    for line in out.split('\n') {
        let line = line.trim_matches(|c: char| c == ' ' || c == '\t');
        if line == "\u{2}" {
            if lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(String::new());
            }
        } else if !line.is_empty() {
            lines.push(line.replace('\u{1}', "\n"));
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

/// Escapes text for XML character data and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// Plain text as an XHTML `div`: a `p` per paragraph, `br` for line breaks within one.
pub fn from_text(text: &str) -> String {
    let mut out = String::from("<xhtml:div>");
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        out.push_str("<xhtml:p>");
        let lines: Vec<String> = paragraph
            .lines()
            .map(|l| escape(l).replace("&#10;", ""))
            .collect();
        out.push_str(&lines.join("<xhtml:br/>"));
        out.push_str("</xhtml:p>");
    }
    out.push_str("</xhtml:div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::xml;

    fn text_of(xhtml: &str) -> String {
        let value = xml::parse(&format!(
            "<THE-VALUE xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">{xhtml}</THE-VALUE>"
        ))
        .unwrap();
        to_text(&value)
    }

    #[test]
    fn paragraphs_lists_and_breaks_become_lines() {
        assert_eq!(
            text_of(
                "<xhtml:div><xhtml:p>The pump  shall\n stop.</xhtml:p><xhtml:ul><xhtml:li>when <xhtml:b>empty</xhtml:b></xhtml:li><xhtml:li>on alarm</xhtml:li></xhtml:ul>Line<xhtml:br/>break &amp; more</xhtml:div>"
            ),
            "The pump shall stop.\n\n- when empty\n- on alarm\nLine\nbreak & more"
        );
    }

    #[test]
    fn objects_keep_their_name() {
        assert_eq!(
            text_of(
                "<xhtml:div>See <xhtml:object data=\"files/pump.png\" type=\"image/png\">pump</xhtml:object></xhtml:div>"
            ),
            "See [files/pump.png]"
        );
    }

    #[test]
    fn text_round_trips_through_xhtml() {
        let text = "First <line> & more\nsecond line\n\nNew paragraph";
        assert_eq!(text_of(&from_text(text)), text);
    }
}
