//! What the attribute is on, and where its registration can go.
//!
//! On stable Rust an attribute on a method cannot add an item to the impl, so functions
//! (free, methods, trait defaults) register from inside their body, consts and statics from
//! inside their initializer, and every other item from a sibling `const _: () = { ... };`
//! (a named const for type aliases: see `expand::place`).

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Attribute, Item, TraitItem};

use crate::attr::Syntax;

/// The kind of the annotated item, as iec-runtime's `ItemKind` names it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Fn,
    Impl,
    Trait,
    Struct,
    Enum,
    Union,
    Mod,
    Const,
    Static,
    Type,
}

impl Kind {
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Kind::Fn => "Fn",
            Kind::Impl => "Impl",
            Kind::Trait => "Trait",
            Kind::Struct => "Struct",
            Kind::Enum => "Enum",
            Kind::Union => "Union",
            Kind::Mod => "Mod",
            Kind::Const => "Const",
            Kind::Static => "Static",
            Kind::Type => "Type",
        }
    }
}

/// Where the registration goes.
pub(crate) enum Placement {
    /// At the start of the function body. `function` was parsed with an empty body (see
    /// [`hollow`]); `body` is the body as written, re-emitted untouched.
    FnBody {
        function: Box<syn::ItemFn>,
        body: Group,
    },
    /// Inside the initializer of a const.
    ConstInit(Box<syn::ItemConst>),
    /// Inside the initializer of a static.
    StaticInit(Box<syn::ItemStatic>),
    /// Beside the item, in an anonymous const.
    Sibling(TokenStream),
}

/// The annotated item, classified.
pub(crate) struct Target {
    pub(crate) kind: Kind,
    /// The name as written: the ident, or the self type of an impl.
    pub(crate) name: String,
    /// The span that line and column refer to (the item's name).
    pub(crate) name_span: Span,
    /// Attributes written after ours.
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) placement: Placement,
}

/// Why an item cannot carry the attribute, at the tokens that say what the item is.
fn unsupported(tokens: impl ToTokens, what: &str, attribute: Syntax, allowed: &str) -> syn::Error {
    syn::Error::new_spanned(
        tokens,
        format!("{attribute} cannot be placed on {what}; it goes on {allowed}"),
    )
}

/// `tokens` with the item's body (its last top-level token tree, when that is a `{ ... }`
/// group) replaced by an empty `{}`, and the body as written.
///
/// What the macros need of an item (its kind, name, attributes, signature) is all before
/// its body, and a function's or an impl's body is most of its tokens: parsing it with syn
/// and printing it back is what made an annotation expensive to expand (an unoptimised
/// proc macro, in every build of every annotated item). The body is handed back to the
/// compiler as the same token stream it came in, so it also keeps every span. A body syn
/// cannot parse is no longer the macro's concern: the compiler reports it, at its span.
fn hollow(tokens: &TokenStream) -> (TokenStream, Option<Group>) {
    let mut trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    match trees.pop() {
        Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
            let mut empty = Group::new(Delimiter::Brace, TokenStream::new());
            empty.set_span(body.span());
            trees.push(TokenTree::Group(empty));
            (trees.into_iter().collect(), Some(body))
        }
        _ => (tokens.clone(), None),
    }
}

pub(crate) const REQUIREMENT_TARGETS: &str =
    "a fn, impl, trait, struct, enum, union, mod, const, static or type alias";
pub(crate) const UNIT_TARGETS: &str = "a mod, fn, impl, struct, enum or trait";

fn ident_target(kind: Kind, ident: &Ident, attrs: &[Attribute], tokens: TokenStream) -> Target {
    Target {
        kind,
        name: ident.to_string(),
        name_span: ident.span(),
        attrs: attrs.to_vec(),
        placement: Placement::Sibling(tokens),
    }
}

/// Classifies `tokens` for `attribute`, written with `arguments`; `unit` restricts to the
/// unit item kinds.
pub(crate) fn classify(
    tokens: &TokenStream,
    attribute: Syntax,
    arguments: &TokenStream,
    unit: bool,
) -> Result<Target, syn::Error> {
    let allowed = if unit {
        UNIT_TARGETS
    } else {
        REQUIREMENT_TARGETS
    };
    let (hollowed, body) = hollow(tokens);
    let item = match syn::parse2::<Item>(hollowed) {
        Ok(item) => item,
        Err(_) => return Err(classify_bodiless(tokens, attribute)),
    };
    let unit_only = |target: Target, what: &str, span: &Ident| {
        if unit {
            Err(unsupported(span, what, attribute, allowed))
        } else {
            Ok(target)
        }
    };
    match item {
        Item::Fn(f) => Ok(Target {
            kind: Kind::Fn,
            name: f.sig.ident.to_string(),
            name_span: f.sig.ident.span(),
            attrs: f.attrs.clone(),
            placement: Placement::FnBody {
                body: body.unwrap_or_else(|| Group::new(Delimiter::Brace, TokenStream::new())),
                function: Box::new(f),
            },
        }),
        Item::Impl(i) => {
            let name = quote::ToTokens::to_token_stream(&i.self_ty).to_string();
            Ok(Target {
                kind: Kind::Impl,
                name,
                name_span: syn::spanned::Spanned::span(&i.self_ty),
                attrs: i.attrs.clone(),
                placement: Placement::Sibling(tokens.clone()),
            })
        }
        Item::Trait(t) => Ok(ident_target(
            Kind::Trait,
            &t.ident,
            &t.attrs,
            tokens.clone(),
        )),
        Item::Struct(s) => Ok(ident_target(
            Kind::Struct,
            &s.ident,
            &s.attrs,
            tokens.clone(),
        )),
        Item::Enum(e) => Ok(ident_target(Kind::Enum, &e.ident, &e.attrs, tokens.clone())),
        Item::Mod(m) => {
            if m.content.is_none() {
                let (name, example) = if unit {
                    ("module_unit", "item = \"SI-PUMP\"")
                } else {
                    ("module_requirement", "\"SRS-12\"")
                };
                let arguments = match arguments.to_string() {
                    written if written.is_empty() => example.to_string(),
                    written => written,
                };
                return Err(syn::Error::new(
                    m.ident.span(),
                    format!(
                        "{attribute} cannot be placed on a file module (`mod {};`) on stable Rust; write `iec_runtime::{name}!({arguments});` at the top of the module's file instead",
                        m.ident,
                    ),
                ));
            }
            Ok(ident_target(Kind::Mod, &m.ident, &m.attrs, tokens.clone()))
        }
        Item::Union(u) => unit_only(
            ident_target(Kind::Union, &u.ident, &u.attrs, tokens.clone()),
            "a union",
            &u.ident,
        ),
        Item::Const(c) => {
            let target = Target {
                kind: Kind::Const,
                name: c.ident.to_string(),
                name_span: c.ident.span(),
                attrs: c.attrs.clone(),
                placement: Placement::ConstInit(Box::new(c.clone())),
            };
            unit_only(target, "a const", &c.ident)
        }
        Item::Static(s) => {
            let target = Target {
                kind: Kind::Static,
                name: s.ident.to_string(),
                name_span: s.ident.span(),
                attrs: s.attrs.clone(),
                placement: Placement::StaticInit(Box::new(s.clone())),
            };
            unit_only(target, "a static", &s.ident)
        }
        Item::Type(t) => unit_only(
            ident_target(Kind::Type, &t.ident, &t.attrs, tokens.clone()),
            "a type alias",
            &t.ident,
        ),
        Item::Use(u) => Err(unsupported(u, "a `use` declaration", attribute, allowed)),
        Item::ExternCrate(e) => Err(unsupported(e, "an `extern crate`", attribute, allowed)),
        Item::ForeignMod(f) => Err(unsupported(
            {
                let (unsafety, abi) = (&f.unsafety, &f.abi);
                quote::quote!(#unsafety #abi)
            },
            "an `extern` block",
            attribute,
            allowed,
        )),
        Item::Macro(m) => {
            let what = if m.mac.path.is_ident("macro_rules") {
                "a `macro_rules!` definition"
            } else {
                "a macro invocation"
            };
            let (path, bang, ident) = (&m.mac.path, &m.mac.bang_token, &m.ident);
            Err(syn::Error::new_spanned(
                quote::quote!(#path #bang #ident),
                format!(
                    "{attribute} cannot be placed on {what}; annotate the items the macro expands to, inside its definition, instead"
                ),
            ))
        }
        Item::TraitAlias(t) => Err(unsupported(
            {
                let (token, ident) = (&t.trait_token, &t.ident);
                quote::quote!(#token #ident)
            },
            "a trait alias",
            attribute,
            allowed,
        )),
        // A method, const or type without a body: syn has no item for these outside traits.
        Item::Verbatim(_) => Err(classify_bodiless(tokens, attribute)),
        other => Err(unsupported(other, "this item", attribute, allowed)),
    }
}

/// Items that only exist inside traits: a method or const without a body has nowhere to
/// run registration code.
fn classify_bodiless(tokens: &TokenStream, attribute: Syntax) -> syn::Error {
    match syn::parse2::<TraitItem>(tokens.clone()) {
        Ok(TraitItem::Fn(f)) => syn::Error::new(
            f.sig.ident.span(),
            format!(
                "{attribute} cannot be placed on a method without a body; annotate the trait, or the method in each impl, instead"
            ),
        ),
        Ok(TraitItem::Const(c)) => syn::Error::new(
            c.ident.span(),
            format!(
                "{attribute} cannot be placed on an associated const without a value; annotate the trait, or the const in each impl, instead"
            ),
        ),
        Ok(TraitItem::Type(t)) => syn::Error::new(
            t.ident.span(),
            format!(
                "{attribute} cannot be placed on an associated type; annotate the trait, or the impl, instead"
            ),
        ),
        _ => syn::Error::new(
            Span::call_site(),
            format!("{attribute} cannot be placed here: the item does not parse as a Rust item"),
        ),
    }
}

/// Attributes that make a function a test: `#[test]`, `#[tokio::test]`, `#[rstest]`,
/// `#[test_case(..)]`, `#[should_panic]`, `#[ignore]`, and the like.
pub(crate) fn has_test_attribute(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        let Some(last) = path.segments.last() else {
            return false;
        };
        let name = last.ident.to_string();
        matches!(
            name.as_str(),
            "test"
                | "rstest"
                | "test_case"
                | "should_panic"
                | "ignore"
                | "wasm_bindgen_test"
                | "proptest"
                | "quickcheck"
                | "rustc_test_marker"
        )
    })
}

/// Whether the function stays the test the harness runs, under its own name and module:
/// `#[test]` (also `#[tokio::test]` and the like, which keep the function and wrap its
/// body), with `#[should_panic]` or `#[ignore]`. Not `#[rstest]`, `#[test_case]` and other
/// attributes that generate test functions of other names, possibly in a module of their
/// own: there the compiler's path of the function holding the body is still needed.
pub(crate) fn keeps_test_path(attrs: &[Attribute]) -> bool {
    let last = |attr: &Attribute| {
        attr.path()
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
    };
    let test = attrs
        .iter()
        .any(|attr| matches!(last(attr).as_deref(), Some("test" | "rustc_test_marker")));
    test && attrs.iter().all(|attr| {
        !matches!(
            last(attr).as_deref(),
            Some("rstest" | "test_case" | "proptest" | "quickcheck" | "wasm_bindgen_test")
        )
    })
}

/// `#[cfg(...)]` attributes of the item, to copy onto sibling registrations.
pub(crate) fn cfg_attributes(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).collect()
}
