//! The doc section an annotation adds to its item, so that `cargo doc` and an editor's hover
//! show the trace: "Implements **SRS-12**, Bolus volume" on the implementing item,
//! "Verifies **SRS-12**, Bolus volume" on a test, and the unit's ID, item and class on a
//! software unit. Titles come from the catalogue the IDs were checked against.
//!
//! Each annotation appends a blank line and one list item per line after the item's own
//! doc comments, so the item's summary stays its own and several annotations on one item
//! read as one list. Doc attributes do not change the compiled code.

use iec_model::catalogue::Catalogue;
use proc_macro2::{Delimiter, TokenTree};
use quote::quote;
use syn::Attribute;

use crate::ast::{Placement, Target};
use crate::attr::{RequirementArgs, UnitArgs};

/// Markdown-escapes catalogue text so a title renders as written.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            escaped.push('\\');
        }
        escaped.push(if c == '\n' { ' ' } else { c });
    }
    escaped
}

/// The lines for `#[requirement(...)]`: one per ID, with its title when the catalogue
/// (when there is one) has it.
pub(crate) fn requirement_lines(
    args: &RequirementArgs,
    is_test: bool,
    catalogue: Option<&Catalogue>,
) -> Vec<String> {
    let verb = if is_test { "Verifies" } else { "Implements" };
    let qualifiers: Vec<String> = args.qualifiers.iter().map(ToString::to_string).collect();
    let qualifiers = if qualifiers.is_empty() {
        String::new()
    } else {
        format!(" ({})", qualifiers.join(", "))
    };
    args.ids
        .iter()
        .map(|id| {
            let id = id.value();
            let title = catalogue
                .and_then(|catalogue| catalogue.requirement(&id))
                .map(|requirement| requirement.title.trim())
                .filter(|title| !title.is_empty())
                .map(|title| format!(", {}", escape(title)))
                .unwrap_or_default();
            format!("- {verb} **{}**{qualifiers}{title}", escape(&id))
        })
        .collect()
}

/// The line for `#[software_unit(...)]`: the unit's ID, its item (with title) and class.
pub(crate) fn unit_lines(args: &UnitArgs, catalogue: Option<&Catalogue>) -> Vec<String> {
    let mut line = String::from("- Software unit");
    if let Some(id) = &args.id {
        line.push_str(&format!(" **{}**", escape(&id.value())));
    }
    if let Some(item) = &args.item {
        let item = item.value();
        line.push_str(&format!(" of software item **{}**", escape(&item)));
        if let Some(found) = catalogue.and_then(|catalogue| catalogue.item(&item)) {
            let title = found.title.trim();
            if !title.is_empty() {
                line.push_str(&format!(" ({})", escape(title)));
            }
        }
    }
    if let Some(class) = &args.class {
        line.push_str(&format!(", safety class {}", escape(&class.value())));
    }
    let mut lines = vec![line];
    if let Some(segregation) = &args.segregation {
        lines.push(format!(
            "- Segregation (IEC 62304 5.3.5): {}",
            escape(&segregation.value())
        ));
    }
    lines
}

fn attributes(lines: &[String]) -> Vec<Attribute> {
    let mut attributes: Vec<Attribute> = vec![syn::parse_quote!(#[doc = ""])];
    attributes.extend(lines.iter().map(|line| -> Attribute {
        let line = format!(" {line}");
        syn::parse_quote!(#[doc = #line])
    }));
    attributes
}

/// Appends the doc lines to the target item's attributes.
pub(crate) fn attach(target: &mut Target, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let docs = attributes(lines);
    match &mut target.placement {
        Placement::FnBody { function, .. } => function.attrs.extend(docs),
        Placement::ConstInit(item) => item.attrs.extend(docs),
        Placement::StaticInit(item) => item.attrs.extend(docs),
        Placement::Sibling(tokens) => {
            // The item is re-emitted as written (its body may be large: an impl, a module);
            // the docs go in after its outer attributes, where `attrs.extend` puts them on
            // a parsed item. The kinds that get here all take doc attributes.
            let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
            let mut attributes_end = 0;
            while let [TokenTree::Punct(pound), TokenTree::Group(group), ..] =
                &trees[attributes_end..]
            {
                if pound.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
                    break;
                }
                attributes_end += 2;
            }
            let (attributes, item) = trees.split_at(attributes_end);
            *tokens = quote!(#(#attributes)* #(#docs)* #(#item)*);
        }
    }
}

/// Doc lines as a `TokenStream` of attributes, for tests.
#[cfg(test)]
fn render(lines: &[String]) -> proc_macro2::TokenStream {
    let attributes = attributes(lines);
    quote!(#(#attributes)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_in_titles() {
        assert_eq!(escape("a*b_[c]\nd"), "a\\*b\\_\\[c\\] d");
    }

    #[test]
    fn renders_one_attribute_per_line_after_a_blank_one() {
        let tokens = render(&["- Implements **SRS-1**".to_string()]).to_string();
        assert_eq!(
            tokens,
            "# [doc = \"\"] # [doc = \" - Implements **SRS-1**\"]"
        );
    }
}

#[cfg(test)]
mod expansion_tests {
    //! The doc section in the macro's output, checked against this repository's own
    //! catalogue (docs/requirements.toml, found from iec-macros' manifest directory).
    use quote::quote;

    fn doc_lines(output: &proc_macro2::TokenStream) -> Vec<String> {
        let item: syn::ItemFn = syn::parse2(output.clone()).expect("a function comes out");
        item.attrs
            .iter()
            .filter(|attr| attr.path().is_ident("doc"))
            .filter_map(|attr| match &attr.meta {
                syn::Meta::NameValue(syn::MetaNameValue {
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(text),
                            ..
                        }),
                    ..
                }) => Some(text.value()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_test_says_what_it_verifies_after_its_own_docs() {
        let output = crate::expand::requirement(
            quote!("TR-DESIGN-DOCS", partial),
            quote! {
                /// Checks the hover text.
                #[test]
                fn hover() {}
            },
        );
        assert_eq!(
            doc_lines(&output),
            [
                " Checks the hover text.",
                "",
                " - Verifies **TR-DESIGN-DOCS** (partial), Rustdoc and hover show the trace",
            ]
        );
    }

    #[test]
    fn an_unknown_id_adds_no_doc_and_keeps_the_item() {
        let output = crate::expand::requirement(
            quote!("TR-NO-SUCH-REQUIREMENT"),
            quote! {
                /// Own docs.
                fn item() {}
            },
        );
        let text = output.to_string();
        assert!(text.contains("compile_error"), "{text}");
        assert!(!text.contains("Implements"), "{text}");
        assert!(text.contains("fn item"), "{text}");
    }
}
