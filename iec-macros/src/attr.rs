//! Parsing of attribute arguments. Every problem becomes an error at its own span; parsing
//! goes on so that all of them are reported at once.
//!
//! Each argument is parsed as an expression and then classified, so that whatever a user
//! writes (an identifier, a constant's path, `concat!(...)`, `key = value`) gets a message
//! about that argument rather than syn's generic "expected `,`".

use std::collections::BTreeSet;
use std::fmt;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Ident, Lit, LitStr, Token};

/// The qualifiers `#[requirement]` accepts after its IDs.
pub(crate) const QUALIFIERS: &[&str] = &["partial"];

/// Keys `#[software_unit]` accepts.
const UNIT_KEYS: &[&str] = &["id", "item", "class", "segregation"];

/// How the user wrote the annotation: messages name it and show examples in that form.
#[derive(Clone, Copy)]
pub(crate) enum Syntax {
    /// `#[name(...)]`.
    Attribute(&'static str),
    /// `name!(...);`.
    Macro(&'static str),
}

impl Syntax {
    /// The annotation written with `arguments`, e.g. `#[requirement("SRS-12")]`.
    pub(crate) fn example(self, arguments: &str) -> String {
        match self {
            Syntax::Attribute(name) => format!("`#[{name}({arguments})]`"),
            Syntax::Macro(name) => format!("`{name}!({arguments});`"),
        }
    }
}

impl fmt::Display for Syntax {
    /// The annotation's name in backticks: `` `#[requirement]` `` or `` `module_unit!` ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Syntax::Attribute(name) => write!(f, "`#[{name}]`"),
            Syntax::Macro(name) => write!(f, "`{name}!`"),
        }
    }
}

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
    /// Why the unit may have a lower class than its item (IEC 62304 5.3.5).
    pub(crate) segregation: Option<LitStr>,
}

/// Why `id` is not a well-formed requirement or item ID (the catalogue's rule: non-empty,
/// ASCII letters, digits and `-_.:/`), or `None` when it is one.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    const RULE: &str = "IDs use only ASCII letters, digits and `-_.:/`";
    if id.is_empty() {
        return Some("an ID cannot be empty".to_string());
    }
    let several: Vec<&str> = id
        .split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    if several.len() > 1 && several.iter().all(|part| id_problem(part).is_none()) {
        let separate: Vec<String> = several.iter().map(|part| format!("{part:?}")).collect();
        return Some(format!(
            "one string holds several IDs; write each as its own string: `{}`",
            separate.join(", ")
        ));
    }
    let bad = id
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/')))?;
    Some(if bad.is_whitespace() {
        format!("it contains whitespace; {RULE}")
    } else {
        format!("it contains `{bad}`; {RULE}")
    })
}

/// An argument as the user wrote it, for messages that quote it.
fn written(tokens: &impl ToTokens) -> String {
    match syn::parse2::<Lit>(tokens.to_token_stream()) {
        Ok(Lit::Char(c)) => c.value().to_string(),
        Ok(Lit::Int(int)) => int.base10_digits().to_string(),
        Ok(Lit::Float(float)) => float.base10_digits().to_string(),
        _ => tokens.to_token_stream().to_string(),
    }
}

/// Does an identifier written where an ID belongs look like an unquoted ID (`SRS_12`)
/// rather than a misspelt qualifier (`partail`)?
fn looks_like_id(name: &str) -> bool {
    name.chars()
        .any(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// `expr` without the invisible group a `macro_rules!` fragment (`$id:literal`) wraps it in.
fn ungrouped(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => ungrouped(*group.expr),
        other => other,
    }
}

/// Parses the comma-separated arguments, or reports why they do not parse.
fn arguments(tokens: TokenStream, errors: &mut Vec<syn::Error>) -> Vec<Expr> {
    match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(arguments) => arguments
            .into_iter()
            .map(|argument| match ungrouped(argument) {
                Expr::Assign(mut assign) => {
                    assign.left = Box::new(ungrouped(*assign.left));
                    assign.right = Box::new(ungrouped(*assign.right));
                    Expr::Assign(assign)
                }
                other => other,
            })
            .collect(),
        Err(error) => {
            errors.push(error);
            Vec::new()
        }
    }
}

pub(crate) fn parse_requirement_args(
    tokens: TokenStream,
    syntax: Syntax,
    errors: &mut Vec<syn::Error>,
) -> RequirementArgs {
    let mut args = RequirementArgs {
        ids: Vec::new(),
        qualifiers: Vec::new(),
    };
    let before = errors.len();
    for argument in arguments(tokens, errors) {
        match argument {
            Expr::Lit(ExprLit {
                lit: Lit::Str(id), ..
            }) => {
                let value = id.value();
                if let Some(qualifier) = args.qualifiers.first() {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!(
                            "requirement IDs come before qualifiers: move this ID before `{qualifier}`"
                        ),
                    ));
                } else if let Some(problem) = id_problem(&value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!("invalid requirement ID {value:?}: {problem}"),
                    ));
                } else if args.ids.iter().any(|seen| seen.value() == value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!(
                            "duplicate requirement ID {value:?}: it is already listed; remove one"
                        ),
                    ));
                } else {
                    args.ids.push(id);
                }
            }
            Expr::Lit(ExprLit { lit, .. }) => {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!(
                        "requirement IDs are string literals: write `\"{}\"`",
                        written(&lit)
                    ),
                ));
            }
            Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                let Some(ident) = path.path.get_ident() else {
                    continue;
                };
                parse_qualifier(ident, syntax, &mut args, errors);
            }
            Expr::Assign(assign) => {
                let key = assign.left.to_token_stream().to_string();
                let message = match &*assign.right {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(value),
                        ..
                    }) if matches!(key.as_str(), "id" | "ids" | "requirement") => format!(
                        "{syntax} takes the IDs themselves, not `{key} = ...`: write {}",
                        syntax.example(&format!("{:?}", value.value()))
                    ),
                    _ => format!(
                        "unknown key `{key}`: {syntax} takes string-literal IDs, then optionally `partial`, and no `key = value` arguments"
                    ),
                };
                errors.push(syn::Error::new_spanned(assign, message));
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    format!(
                        "requirement IDs are string literals: write the ID in quotes, e.g. `\"SRS-12\"`; {syntax} cannot evaluate constants, macros or expressions"
                    ),
                ));
            }
        }
    }
    if args.ids.is_empty() && errors.len() == before {
        let example: Vec<String> = std::iter::once("\"SRS-12\"".to_string())
            .chain(args.qualifiers.iter().map(ToString::to_string))
            .collect();
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "{syntax} needs at least one requirement ID, e.g. {}",
                syntax.example(&example.join(", "))
            ),
        ));
    }
    args
}

/// `#[problem("PR-17", ...)]`: string-literal problem IDs, nothing else.
pub(crate) fn parse_problem_args(tokens: TokenStream, errors: &mut Vec<syn::Error>) -> Vec<LitStr> {
    let syntax = Syntax::Attribute("problem");
    let mut ids: Vec<LitStr> = Vec::new();
    let before = errors.len();
    for argument in arguments(tokens, errors) {
        match argument {
            Expr::Lit(ExprLit {
                lit: Lit::Str(id), ..
            }) => {
                let value = id.value();
                if let Some(problem) = id_problem(&value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!("invalid problem ID {value:?}: {problem}"),
                    ));
                } else if ids.iter().any(|seen| seen.value() == value) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!("duplicate problem ID {value:?}: it is already listed; remove one"),
                    ));
                } else {
                    ids.push(id);
                }
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    &other,
                    format!(
                        "problem IDs are string literals: write {}; {syntax} takes no other arguments",
                        syntax.example(&format!("\"{}\"", written(&other).trim_matches('"')))
                    ),
                ));
            }
        }
    }
    if ids.is_empty() && errors.len() == before {
        errors.push(syn::Error::new(
            Span::call_site(),
            format!(
                "{syntax} needs at least one problem ID, e.g. {}",
                syntax.example("\"PR-17\"")
            ),
        ));
    }
    ids
}

/// An identifier among `#[requirement]`'s arguments: a qualifier, a misspelt one, or an ID
/// written without quotes.
fn parse_qualifier(
    ident: &Ident,
    syntax: Syntax,
    args: &mut RequirementArgs,
    errors: &mut Vec<syn::Error>,
) {
    let name = ident.to_string();
    if QUALIFIERS.contains(&name.as_str()) {
        if args.qualifiers.iter().any(|seen| seen == ident) {
            errors.push(syn::Error::new(
                ident.span(),
                format!("`{name}` is given twice: remove one"),
            ));
        } else {
            args.qualifiers.push(ident.clone());
        }
        return;
    }
    let close = iec_model::catalogue::closest(&name, QUALIFIERS.iter().copied());
    let message = match close.first() {
        Some(qualifier) => format!("unknown qualifier `{name}`; did you mean `{qualifier}`?"),
        None if args.ids.is_empty() || looks_like_id(&name) => format!(
            "requirement IDs are string literals: write the ID in quotes, e.g. `\"{name}\"`; {syntax} cannot read constants"
        ),
        None => {
            format!("unknown qualifier `{name}`: after the IDs {syntax} accepts only `partial`")
        }
    };
    errors.push(syn::Error::new(ident.span(), message));
}

/// An example value of each `#[software_unit]` key.
fn unit_key_example(key: &str) -> &'static str {
    match key {
        "id" => "\"SU-DOSE\"",
        "item" => "\"SI-PUMP\"",
        "segregation" => "\"runs in its own MPU region\"",
        _ => "\"C\"",
    }
}

pub(crate) fn parse_unit_args(
    tokens: TokenStream,
    syntax: Syntax,
    errors: &mut Vec<syn::Error>,
) -> UnitArgs {
    let mut args = UnitArgs::default();
    let mut seen = BTreeSet::new();
    for argument in arguments(tokens, errors) {
        let (key, value) = match argument {
            Expr::Assign(assign) => match &*assign.left {
                Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                    let Some(key) = path.path.get_ident() else {
                        continue;
                    };
                    (key.clone(), Some(*assign.right))
                }
                other => {
                    errors.push(syn::Error::new_spanned(
                        other,
                        format!("{syntax} accepts the keys `id`, `item` and `class`"),
                    ));
                    continue;
                }
            },
            Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                let Some(key) = path.path.get_ident() else {
                    continue;
                };
                (key.clone(), None)
            }
            Expr::Lit(ExprLit {
                lit: Lit::Str(value),
                ..
            }) => {
                let text = format!("{:?}", value.value());
                errors.push(syn::Error::new(
                    value.span(),
                    format!(
                        "{syntax} takes `key = value` arguments: write `id = {text}` if this is the unit's ID, or `item = {text}` if it names the unit's software item"
                    ),
                ));
                continue;
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    format!(
                        "{syntax} takes `key = value` arguments, e.g. {}",
                        syntax.example("id = \"SU-DOSE\", item = \"SI-PUMP\", class = \"C\"")
                    ),
                ));
                continue;
            }
        };
        let name = key.to_string();
        if !UNIT_KEYS.contains(&name.as_str()) {
            let hint = iec_model::catalogue::closest(&name, UNIT_KEYS.iter().copied())
                .first()
                .map(|close| format!("; did you mean `{close}`?"))
                .unwrap_or_default();
            errors.push(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{name}`: {syntax} accepts `id`, `item`, `class` and `segregation`{hint}"
                ),
            ));
            continue;
        }
        if !seen.insert(name.clone()) {
            errors.push(syn::Error::new(
                key.span(),
                format!("`{name}` is given twice: keep one"),
            ));
            continue;
        }
        let value = match value {
            Some(Expr::Lit(ExprLit {
                lit: Lit::Str(value),
                ..
            })) => value,
            Some(other) => {
                let message = match &other {
                    Expr::Lit(_) | Expr::Path(_) => format!(
                        "`{name}` takes a string literal: write `{name} = \"{}\"`",
                        written(&other)
                    ),
                    _ => format!(
                        "`{name}` takes a string literal, e.g. `{name} = {}`; {syntax} cannot evaluate constants, macros or expressions",
                        unit_key_example(&name)
                    ),
                };
                errors.push(syn::Error::new_spanned(other, message));
                continue;
            }
            None => {
                errors.push(syn::Error::new(
                    key.span(),
                    format!(
                        "`{name}` needs a value, e.g. `{name} = {}`",
                        unit_key_example(&name)
                    ),
                ));
                continue;
            }
        };
        let text = value.value();
        match name.as_str() {
            "segregation" => {
                if text.trim().is_empty() {
                    errors.push(syn::Error::new(
                        value.span(),
                        "an empty segregation rationale justifies nothing: say how the unit is segregated, or remove `segregation`",
                    ));
                } else {
                    args.segregation = Some(value);
                }
            }
            "class" => {
                if matches!(text.as_str(), "A" | "B" | "C") {
                    args.class = Some(value);
                } else {
                    let upper = text.to_ascii_uppercase();
                    let advice = if matches!(upper.as_str(), "A" | "B" | "C") {
                        format!("classes are upper case: write \"{upper}\"")
                    } else {
                        "use \"A\", \"B\" or \"C\" (IEC 62304 4.3)".to_string()
                    };
                    errors.push(syn::Error::new(
                        value.span(),
                        format!("invalid safety class {text:?}: {advice}"),
                    ));
                }
            }
            _ => {
                if let Some(problem) = id_problem(&text) {
                    let what = if name == "id" {
                        "unit ID"
                    } else {
                        "software item ID"
                    };
                    errors.push(syn::Error::new(
                        value.span(),
                        format!("invalid {what} {text:?}: {problem}"),
                    ));
                } else if name == "id" {
                    args.id = Some(value);
                } else {
                    args.item = Some(value);
                }
            }
        }
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    const REQUIREMENT: Syntax = Syntax::Attribute("requirement");
    const UNIT: Syntax = Syntax::Attribute("software_unit");

    fn requirement_errors(tokens: TokenStream) -> Vec<String> {
        let mut errors = Vec::new();
        parse_requirement_args(tokens, REQUIREMENT, &mut errors);
        errors.iter().map(ToString::to_string).collect()
    }

    fn unit_errors(tokens: TokenStream) -> Vec<String> {
        let mut errors = Vec::new();
        parse_unit_args(tokens, UNIT, &mut errors);
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn ids_and_qualifiers_are_parsed_in_order() {
        let mut errors = Vec::new();
        let args =
            parse_requirement_args(quote!("SRS-1", "SRS-2", partial), REQUIREMENT, &mut errors);
        assert!(errors.is_empty());
        let ids: Vec<String> = args.ids.iter().map(LitStr::value).collect();
        assert_eq!(ids, ["SRS-1", "SRS-2"]);
        assert_eq!(args.qualifiers.len(), 1);
    }

    #[test]
    fn every_malformed_argument_is_reported() {
        let errors = requirement_errors(quote!(SRS_1, 12, "SRS 1", "SRS-2", "SRS-2", full));
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(errors[0].contains("write the ID in quotes, e.g. `\"SRS_1\"`"));
        assert!(errors[1].contains("write `\"12\"`"));
        assert!(errors[2].contains("contains whitespace"));
        assert!(errors[3].starts_with("duplicate requirement ID \"SRS-2\""));
        assert!(errors[4].starts_with("unknown qualifier `full`"));
    }

    #[test]
    fn a_misspelt_qualifier_gets_a_suggestion() {
        let errors = requirement_errors(quote!("SRS-1", partail));
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].ends_with("did you mean `partial`?"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn an_attribute_without_ids_is_an_error() {
        let errors = requirement_errors(TokenStream::new());
        assert_eq!(
            errors,
            [
                "`#[requirement]` needs at least one requirement ID, e.g. `#[requirement(\"SRS-12\")]`"
            ]
        );
    }

    #[test]
    fn several_ids_in_one_string_are_split_in_the_advice() {
        assert_eq!(
            id_problem("SRS-1, SRS-2").as_deref(),
            Some(
                "one string holds several IDs; write each as its own string: `\"SRS-1\", \"SRS-2\"`"
            )
        );
        assert_eq!(id_problem("SRS-1"), None);
        assert_eq!(id_problem("").as_deref(), Some("an ID cannot be empty"));
    }

    #[test]
    fn unit_keys_are_checked_and_misspellings_suggested() {
        let errors = unit_errors(quote!(itme = "SI-PUMP", class = "B", class = "C"));
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].ends_with("did you mean `item`?"));
        assert_eq!(errors[1], "`class` is given twice: keep one");
    }

    #[test]
    fn unit_values_are_string_literals_and_classes_a_b_or_c() {
        let errors = unit_errors(quote!(class = C, item = "SI PUMP"));
        assert_eq!(
            errors[0],
            "`class` takes a string literal: write `class = \"C\"`"
        );
        assert!(errors[1].starts_with("invalid software item ID \"SI PUMP\""));
        let errors = unit_errors(quote!(class = "c"));
        assert_eq!(
            errors,
            ["invalid safety class \"c\": classes are upper case: write \"C\""]
        );
    }

    #[test]
    fn a_unit_with_every_key_parses() {
        let mut errors = Vec::new();
        let args = parse_unit_args(
            quote!(id = "SU-DOSE", item = "SI-PUMP", class = "C"),
            UNIT,
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(args.id.map(|id| id.value()).as_deref(), Some("SU-DOSE"));
        assert_eq!(
            args.item.map(|item| item.value()).as_deref(),
            Some("SI-PUMP")
        );
        assert_eq!(args.class.map(|class| class.value()).as_deref(), Some("C"));
    }
}
