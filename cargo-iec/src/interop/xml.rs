//! A small XML element tree read with quick-xml, every element keeping its byte offset so
//! that messages can name a line and column.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// An element: local name, namespace, attributes (by local name), children, position.
#[derive(Debug, Clone, Default)]
pub struct Element {
    /// The local name, without prefix (`SPEC-OBJECT`, `div`).
    pub name: String,
    /// The namespace URI, when bound.
    pub namespace: Option<String>,
    /// Attributes by local name, in document order.
    pub attributes: Vec<(String, String)>,
    /// Child nodes in document order.
    pub children: Vec<Node>,
    /// Byte offset of the start tag in the file.
    pub offset: usize,
}

/// A child node.
#[derive(Debug, Clone)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// Character data, entities resolved.
    Text(String),
}

impl Element {
    /// The attribute with this local name.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// Child elements with this name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// The text of the element and its descendants, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            for child in &e.children {
                match child {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => walk(e, out),
                }
            }
        }
        walk(self, &mut out);
        out
    }
}

/// Not well-formed XML, at a byte offset.
#[derive(Debug, Clone)]
pub struct XmlError {
    /// Where.
    pub offset: usize,
    /// What.
    pub message: String,
}

/// Entities XHTML values use that XML does not predefine.
fn html_entity(name: &str) -> Option<&'static str> {
    match name {
        "nbsp" => Some("\u{a0}"),
        "ndash" => Some("–"),
        "mdash" => Some("—"),
        "hellip" => Some("…"),
        _ => None,
    }
}

fn offset_of(reader: &NsReader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => *root = Some(element),
    }
}

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let error = |reader: &NsReader<&[u8]>, message: String| XmlError {
        offset: usize::try_from(reader.error_position()).unwrap_or(0),
        message,
    };
    loop {
        let before = offset_of(&reader);
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (Some(ns.as_ref().to_string()), event),
            Ok((_, event)) => (None, event),
            Err(e) => return Err(error(&reader, e.to_string())),
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                if stack.is_empty() && root.is_some() {
                    return Err(XmlError {
                        offset: before,
                        message: "a second root element".to_string(),
                    });
                }
                let mut element = Element {
                    name: start.local_name().as_ref().to_string(),
                    namespace,
                    attributes: Vec::new(),
                    children: Vec::new(),
                    offset: before,
                };
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| error(&reader, e.to_string()))?;
                    if attribute.key.as_ref().starts_with("xmlns") {
                        continue;
                    }
                    let key = attribute.key.local_name().as_ref().to_string();
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| error(&reader, e.to_string()))?
                        .into_owned();
                    element.attributes.push((key, value));
                }
                if empty {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    close(&mut stack, &mut root, element);
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(content.into_owned()));
                } else if !content.trim().is_empty() {
                    return Err(XmlError {
                        offset: before,
                        message: "text outside the root element".to_string(),
                    });
                }
            }
            Event::CData(c) => {
                if let Some(parent) = stack.last_mut() {
                    parent
                        .children
                        .push(Node::Text(c.xml10_content().into_owned()));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name: &str = &r;
                        quick_xml::escape::resolve_predefined_entity(name)
                            .or_else(|| html_entity(name))
                            .map(str::to_string)
                            .ok_or_else(|| XmlError {
                                offset: before,
                                message: format!("unknown entity `&{name};`"),
                            })?
                    }
                    Err(e) => return Err(error(&reader, e.to_string())),
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(resolved));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError {
            offset: open.offset,
            message: format!("element <{}> is never closed", open.name),
        });
    }
    root.ok_or(XmlError {
        offset: 0,
        message: "no root element".to_string(),
    })
}
