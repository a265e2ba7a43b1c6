//! A small YAML tree with the position of every node, built from `saphyr-parser`'s events:
//! Doorstop items are plain mappings of scalars and lists, and every value needs the line
//! and column a message can point at.

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::Position;

/// A YAML node and where it starts.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A scalar, its text as written (no type conversion: `1.10` stays `1.10`), and whether
    /// it was plain (unquoted), which decides whether `null`/`true` mean what they say.
    Scalar {
        text: String,
        plain: bool,
        at: Position,
    },
    Sequence {
        items: Vec<Node>,
        at: Position,
    },
    Mapping {
        entries: Vec<(Node, Node)>,
        at: Position,
    },
}

fn position(marker: &Marker) -> Position {
    Position {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

impl Node {
    /// Where the node starts.
    pub(crate) fn at(&self) -> Position {
        match self {
            Node::Scalar { at, .. } | Node::Sequence { at, .. } | Node::Mapping { at, .. } => *at,
        }
    }

    /// The text of a scalar; `None` for collections and for a plain `null` or `~`.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, plain, .. } => (!(*plain
                && matches!(text.as_str(), "" | "null" | "~" | "Null" | "NULL")))
            .then_some(text.as_str()),
            _ => None,
        }
    }

    /// A plain `true`/`false` scalar.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Scalar {
                text, plain: true, ..
            } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Mapping { entries, .. } => entries
                .iter()
                .find(|(k, _)| matches!(k, Node::Scalar { text, .. } if text == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A YAML syntax error and where it is.
#[derive(Debug, Clone)]
pub(crate) struct YamlError {
    pub(crate) at: Position,
    pub(crate) message: String,
}

/// Parses the first document of `text`; an empty document is `None`.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<(Node, Option<Node>)> = Vec::new();
    let mut root = None;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|error| YamlError {
            at: position(error.marker()),
            message: error.info().to_string(),
        })?;
        let at = position(&span.start);
        let node = match event {
            Event::Scalar(text, style, _, _) => Node::Scalar {
                text: text.into_owned(),
                plain: style == ScalarStyle::Plain,
                at,
            },
            Event::SequenceStart(..) => {
                stack.push((
                    Node::Sequence {
                        items: Vec::new(),
                        at,
                    },
                    None,
                ));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push((
                    Node::Mapping {
                        entries: Vec::new(),
                        at,
                    },
                    None,
                ));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((node, _)) => node,
                None => continue,
            },
            Event::Alias(_) => {
                return Err(YamlError {
                    at,
                    message: "YAML aliases (`*name`) are not supported here: write the value out"
                        .to_string(),
                });
            }
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some((Node::Sequence { items, .. }, _)) => items.push(node),
            Some((Node::Mapping { entries, .. }, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
            Some((Node::Scalar { .. }, _)) => {}
        }
    }
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_keep_their_one_based_positions() {
        let node = parse("a: 1.10\nb:\n  - x\n  - 'null'\nc: |\n  line\n")
            .unwrap()
            .unwrap();
        assert_eq!(node.get("a").unwrap().as_str(), Some("1.10"));
        let b = node.get("b").unwrap();
        let Node::Sequence { items, .. } = b else {
            panic!("{b:?}")
        };
        assert_eq!(items[0].at(), Position { line: 3, column: 5 });
        assert_eq!(items[1].as_str(), Some("null"));
        assert_eq!(node.get("c").unwrap().as_str(), Some("line\n"));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = parse("a: [1, 2\n").unwrap_err();
        assert_eq!(error.at.line, 2);
    }
}
