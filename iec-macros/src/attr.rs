//! Parsing of attribute arguments. Every problem becomes an error at its own span; parsing
//! goes on so that all of them are reported at once.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Lit, LitStr, Token};

/// The qualifiers `#[requirement]` accepts after its IDs.
pub(crate) const QUALIFIERS: &[&str] = &["partial"];

/// Keys `#[software_unit]` accepts.
const UNIT_KEYS: &[&str] = &["id", "item", "class"];

/// `#[requirement("SRS-1", "SRS-2", partial)]`.
pub(crate) struct RequirementArgs {
    pub(crate) ids: Vec<LitStr>,
    pub(crate) qualifiers: Vec<Ident>,
}

/// `#[software_unit(id = "...", item = "...", class = "...")]`.
#[derive(Default)]
pub(crate) struct UnitArgs {
    pub(crate) id: Option<LitStr>,
    pub(crate) item: Option<LitStr>,
    pub(crate) class: Option<LitStr>,
}

/// Is `id` a well-formed requirement or item ID (the catalogue's rule)?
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
}

pub(crate) fn parse_requirement_args(
    tokens: TokenStream,
    attribute: &str,
    errors: &mut Vec<syn::Error>,
) -> RequirementArgs {
    let mut args = RequirementArgs {
        ids: Vec::new(),
        qualifiers: Vec::new(),
    };
    let parser = |input: ParseStream<'_>| -> syn::Result<()> {
        while !input.is_empty() {
            if input.peek(LitStr) {
                let id: LitStr = input.parse()?;
                let value = id.value();
                if !args.qualifiers.is_empty() {
                    errors.push(syn::Error::new(
                        id.span(),
                        "requirement IDs come before qualifiers: move this ID before `partial`",
                    ));
                } else if !valid_id(&value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!(
                            "invalid requirement ID {value:?}: IDs are non-empty and use only ASCII letters, digits and `-_.:/`"
                        ),
                    ));
                } else if args.ids.iter().any(|seen| seen.value() == value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!("duplicate requirement ID {value:?} in this attribute: remove one"),
                    ));
                } else {
                    args.ids.push(id);
                }
            } else if input.peek(Lit) {
                let lit: Lit = input.parse()?;
                let shown = quote::ToTokens::to_token_stream(&lit).to_string();
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("requirement IDs are string literals: write \"{shown}\""),
                ));
            } else if input.peek(Ident) && !input.peek2(Token![=]) && !input.peek2(Token![::]) {
                let ident: Ident = input.parse()?;
                let name = ident.to_string();
                if !QUALIFIERS.contains(&name.as_str()) {
                    errors.push(syn::Error::new(
                        ident.span(),
                        format!(
                            "unknown qualifier `{name}`: `{attribute}` accepts string-literal IDs, then optionally `partial`; an identifier is not an ID, write \"{name}\" if it is one"
                        ),
                    ));
                } else if args.qualifiers.iter().any(|q| q == &ident) {
                    errors.push(syn::Error::new(
                        ident.span(),
                        format!("`{name}` is given twice: remove one"),
                    ));
                } else {
                    args.qualifiers.push(ident);
                }
            } else if input.peek(Ident) && input.peek2(Token![=]) {
                let key: Ident = input.parse()?;
                let _: Token![=] = input.parse()?;
                let _: syn::Expr = input.parse()?;
                errors.push(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown key `{key}`: `{attribute}` takes string-literal IDs and the qualifier `partial`, no `key = value` arguments"
                    ),
                ));
            } else {
                let expr: syn::Expr = input.parse()?;
                errors.push(syn::Error::new_spanned(
                    expr,
                    "requirement IDs are string literals, e.g. `\"SRS-12\"`; constants and expressions cannot be traced",
                ));
            }
            if input.is_empty() {
                break;
            }
            let _: Token![,] = input.parse()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
        return args;
    }
    if args.ids.is_empty() && errors.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "`{attribute}` needs at least one requirement ID, e.g. `{attribute}(\"SRS-12\")`"
            ),
        ));
    }
    args
}

pub(crate) fn parse_unit_args(
    tokens: TokenStream,
    attribute: &str,
    errors: &mut Vec<syn::Error>,
) -> UnitArgs {
    let mut args = UnitArgs::default();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    let parser = |input: ParseStream<'_>| -> syn::Result<()> {
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            let name = key.to_string();
            let value = if input.peek(Token![=]) {
                let _: Token![=] = input.parse()?;
                let expr: syn::Expr = input.parse()?;
                match expr {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: Lit::Str(value),
                        ..
                    }) => Some(value),
                    other => {
                        errors.push(syn::Error::new_spanned(
                            other,
                            format!("`{name}` takes a string literal, e.g. `{name} = \"...\"`"),
                        ));
                        None
                    }
                }
            } else {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{name}` needs a value: write `{name} = \"...\"`"),
                ));
                None
            };
            if !UNIT_KEYS.contains(&name.as_str()) {
                let close = iec_model::catalogue::closest(&name, UNIT_KEYS.iter().copied());
                let hint = close
                    .first()
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                errors.push(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown key `{name}`{hint}: `{attribute}` accepts `id`, `item` and `class`"
                    ),
                ));
            } else if seen.insert(name.clone(), key.span()).is_some() {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{name}` is given twice: keep one"),
                ));
            } else if let Some(value) = value {
                let text = value.value();
                match name.as_str() {
                    "class" if !matches!(text.as_str(), "A" | "B" | "C") => {
                        errors.push(syn::Error::new(
                            value.span(),
                            format!(
                                "invalid safety class {text:?}: use \"A\", \"B\" or \"C\" (IEC 62304 4.3)"
                            ),
                        ));
                    }
                    "id" | "item" if !valid_id(&text) => {
                        errors.push(syn::Error::new(
                            value.span(),
                            format!(
                                "invalid {name} ID {text:?}: IDs are non-empty and use only ASCII letters, digits and `-_.:/`"
                            ),
                        ));
                    }
                    "id" => args.id = Some(value),
                    "item" => args.item = Some(value),
                    _ => args.class = Some(value),
                }
            }
            if input.is_empty() {
                break;
            }
            let _: Token![,] = input.parse()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}
