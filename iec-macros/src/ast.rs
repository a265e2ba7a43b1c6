//! What the attribute is on, and where its registration can go.
//!
//! On stable Rust an attribute on a method cannot add an item to the impl, so functions
//! (free, methods, trait defaults) register from inside their body, consts and statics from
//! inside their initializer, and every other item from a sibling `const _: () = { ... };`.

use proc_macro2::{Ident, Span, TokenStream};
use syn::{Attribute, Item, TraitItem};

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
    /// At the start of the function body.
    FnBody(Box<syn::ItemFn>),
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

/// Why an item cannot carry the attribute.
pub(crate) struct Unsupported {
    pub(crate) span: Span,
    pub(crate) message: String,
}

fn unsupported(span: Span, what: &str, attribute: &str, allowed: &str) -> Unsupported {
    Unsupported {
        span,
        message: format!("`{attribute}` cannot be placed on {what}; it goes on {allowed}"),
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

/// Classifies `tokens` for `attribute`; `unit` restricts to the unit item kinds.
pub(crate) fn classify(
    tokens: &TokenStream,
    attribute: &str,
    unit: bool,
) -> Result<Target, Unsupported> {
    let allowed = if unit {
        UNIT_TARGETS
    } else {
        REQUIREMENT_TARGETS
    };
    let item = match syn::parse2::<Item>(tokens.clone()) {
        Ok(item) => item,
        Err(_) => return Err(classify_bodiless(tokens, attribute)),
    };
    let unit_only = |target: Target, what: &str, span: Span| {
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
            placement: Placement::FnBody(Box::new(f)),
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
                return Err(Unsupported {
                    span: m.ident.span(),
                    message: format!(
                        "`{attribute}` on a file module (`mod {};`) is unstable in Rust; write `iec_runtime::{}!(...)` at the top of that file instead",
                        m.ident,
                        if unit {
                            "module_unit"
                        } else {
                            "module_requirement"
                        }
                    ),
                });
            }
            Ok(ident_target(Kind::Mod, &m.ident, &m.attrs, tokens.clone()))
        }
        Item::Union(u) => {
            let span = u.ident.span();
            unit_only(
                ident_target(Kind::Union, &u.ident, &u.attrs, tokens.clone()),
                "a union",
                span,
            )
        }
        Item::Const(c) => {
            let target = Target {
                kind: Kind::Const,
                name: c.ident.to_string(),
                name_span: c.ident.span(),
                attrs: c.attrs.clone(),
                placement: Placement::ConstInit(Box::new(c.clone())),
            };
            unit_only(target, "a const", c.ident.span())
        }
        Item::Static(s) => {
            let target = Target {
                kind: Kind::Static,
                name: s.ident.to_string(),
                name_span: s.ident.span(),
                attrs: s.attrs.clone(),
                placement: Placement::StaticInit(Box::new(s.clone())),
            };
            unit_only(target, "a static", s.ident.span())
        }
        Item::Type(t) => {
            let span = t.ident.span();
            unit_only(
                ident_target(Kind::Type, &t.ident, &t.attrs, tokens.clone()),
                "a type alias",
                span,
            )
        }
        Item::Use(u) => Err(unsupported(
            span_of(&u),
            "a `use` declaration",
            attribute,
            allowed,
        )),
        Item::ExternCrate(e) => Err(unsupported(
            span_of(&e),
            "an `extern crate`",
            attribute,
            allowed,
        )),
        Item::ForeignMod(f) => Err(unsupported(
            span_of(&f),
            "an `extern` block",
            attribute,
            allowed,
        )),
        Item::Macro(m) => Err(unsupported(
            span_of(&m),
            "a macro definition or invocation (annotate the items the macro expands to, inside its definition)",
            attribute,
            allowed,
        )),
        Item::TraitAlias(t) => Err(unsupported(
            span_of(&t),
            "a trait alias",
            attribute,
            allowed,
        )),
        other => Err(unsupported(
            span_of(&other),
            "this item",
            attribute,
            allowed,
        )),
    }
}

fn span_of<T: syn::spanned::Spanned>(item: &T) -> Span {
    item.span()
}

/// Items that only exist inside traits: a method or const without a body has nowhere to
/// run registration code.
fn classify_bodiless(tokens: &TokenStream, attribute: &str) -> Unsupported {
    match syn::parse2::<TraitItem>(tokens.clone()) {
        Ok(TraitItem::Fn(f)) => Unsupported {
            span: f.sig.ident.span(),
            message: format!(
                "`{attribute}` on a trait method without a default body has nowhere to register; annotate the trait, or the method in each impl"
            ),
        },
        Ok(TraitItem::Const(c)) => Unsupported {
            span: c.ident.span(),
            message: format!(
                "`{attribute}` on an associated const without a value has nowhere to register; annotate the trait, or the const in each impl"
            ),
        },
        Ok(TraitItem::Type(t)) => Unsupported {
            span: t.ident.span(),
            message: format!(
                "`{attribute}` on an associated type has nowhere to register; annotate the trait or impl instead"
            ),
        },
        _ => Unsupported {
            span: Span::call_site(),
            message: format!(
                "`{attribute}` cannot be placed here: the item does not parse as a Rust item"
            ),
        },
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

/// `#[cfg(...)]` attributes of the item, to copy onto sibling registrations.
pub(crate) fn cfg_attributes(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("cfg")).collect()
}
