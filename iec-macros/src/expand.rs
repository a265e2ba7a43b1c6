//! Code generation: the original item, plus a registration that exists only in test builds
//! (`::iec_runtime::__private::register!` decides), or the original item plus
//! `compile_error!`s when the input is wrong.

use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::LitStr;

use crate::ast::{self, Placement, Target};
use crate::attr::{self, Syntax};
use crate::doc;
use crate::valid;

/// Distinguishes the marker types of several annotations on one function.
static MARKERS: AtomicUsize = AtomicUsize::new(0);

fn fallback(item: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().map(|e| e.to_compile_error());
    quote! { #(#errors)* #item }
}

/// The registration of `record` (with `items` it needs, such as a marker type), in test
/// builds only unless iec-runtime's `registry-in-all-builds` feature says otherwise: the
/// `cfg` is decided by `register!`, which is compiled with iec-runtime's features.
fn registration(private: &TokenStream, items: TokenStream, record: TokenStream) -> TokenStream {
    quote! {
        #private::register! {
            #items
            #private::inventory::submit! { #record }
        }
    }
}

fn site(span: Span) -> TokenStream {
    let private = private();
    // The compiler runs the macro with cargo's variables for the crate being compiled; as
    // literals they cost the compiler nothing, unlike `option_env!` and a `match` per
    // annotation. Empty outside cargo.
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    quote_spanned! {span=>
        #private::Site {
            module_path: ::core::module_path!(),
            file: ::core::file!(),
            line: ::core::line!(),
            column: ::core::column!(),
            package: #package,
            version: #version,
        }
    }
}

/// `::iec_runtime::__private`, under the name the crate being compiled gives iec-runtime
/// (`iec = { package = "iec-runtime" }` makes it `::iec::__private`). Inside iec-runtime
/// itself, and when the manifest cannot be read, the canonical name (iec-runtime declares
/// `extern crate self as iec_runtime`).
fn private() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    // Looked up once per crate (a compiler process compiles one; an IDE's macro server
    // expands many, told apart by CARGO_MANIFEST_DIR), not for every path of every
    // annotation.
    type Cache = Option<(Option<std::ffi::OsString>, Option<String>)>;
    static NAME: std::sync::Mutex<Cache> = std::sync::Mutex::new(None);
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR");
    let mut cache = NAME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let name = match &*cache {
        Some((dir, name)) if *dir == manifest_dir => name.clone(),
        _ => {
            let name = match crate_name("iec-runtime") {
                Ok(FoundCrate::Name(name)) if name != "iec_runtime" => Some(name),
                _ => None,
            };
            *cache = Some((manifest_dir, name.clone()));
            name
        }
    };
    drop(cache);
    match name {
        Some(name) => {
            let name = proc_macro2::Ident::new(&name, Span::call_site());
            quote! { ::#name::__private }
        }
        None => quote! { ::iec_runtime::__private },
    }
}

fn item_kind(kind: ast::Kind) -> TokenStream {
    let private = private();
    let variant = format_ident!("{}", kind.variant());
    quote! { #private::ItemKind::#variant }
}

fn optional(value: Option<&LitStr>) -> TokenStream {
    match value {
        Some(value) => quote! { ::core::option::Option::Some(#value) },
        None => quote! { ::core::option::Option::None },
    }
}

/// What every record holds about its item, as the arguments of an `Annotation` constructor:
/// its kind, its name, its marker type (when there is one) and its site.
struct ItemParts {
    kind: TokenStream,
    name: String,
    marker: TokenStream,
    site: TokenStream,
}

impl ItemParts {
    fn of(target: &Target, marker: Option<&syn::Ident>) -> ItemParts {
        ItemParts {
            kind: item_kind(target.kind),
            name: target.name.clone(),
            marker: match marker {
                Some(marker) => {
                    let private = private();
                    quote! { ::core::option::Option::Some(#private::core::any::type_name::<#marker>) }
                }
                None => quote! { ::core::option::Option::None },
            },
            site: site(target.name_span),
        }
    }

    /// A module's own record (`module_requirement!`, `module_unit!`): `module_path!()` at
    /// the call site is the module itself.
    fn module() -> ItemParts {
        ItemParts {
            kind: item_kind(ast::Kind::Mod),
            name: String::new(),
            marker: quote! { ::core::option::Option::None },
            site: site(Span::call_site()),
        }
    }
}

/// Builds the record expression from the item's parts.
type RecordBuilder<'a> = dyn Fn(ItemParts) -> TokenStream + 'a;

/// The function body `body` as written, with `statements` first (after the body's inner
/// attributes, which must stay first). The body's own tokens are passed on untouched.
fn with_leading_statements(body: &Group, statements: TokenStream) -> Group {
    let written = body.stream();
    let is_inner_attribute = |trees: &[TokenTree]| {
        matches!(trees, [TokenTree::Punct(pound), TokenTree::Punct(bang), TokenTree::Group(group), ..]
            if pound.as_char() == '#' && bang.as_char() == '!' && group.delimiter() == Delimiter::Bracket)
    };
    // Most bodies start with no inner attribute: look at the first three trees only.
    let first: Vec<TokenTree> = written.clone().into_iter().take(3).collect();
    let stream = if is_inner_attribute(&first) {
        let trees: Vec<TokenTree> = written.into_iter().collect();
        let mut end = 0;
        while is_inner_attribute(&trees[end..]) {
            end += 3;
        }
        let (inner_attributes, rest) = trees.split_at(end);
        quote! { #(#inner_attributes)* #statements #(#rest)* }
    } else {
        quote! { #statements #written }
    };
    let mut block = Group::new(Delimiter::Brace, stream);
    block.set_span(body.span());
    block
}

/// Places `record` where the target allows and returns the final tokens.
fn place(target: Target, record: &RecordBuilder<'_>, tracking: Option<TokenStream>) -> TokenStream {
    let private = private();
    // A type declared inside the item: `type_name` spells its path through the enclosing
    // function, impl included (FINDINGS.md). One generic instance per marker, where a
    // marker function needed three (itself, `type_name_of_val` and `type_name`).
    let marker_type = |marker: &syn::Ident| {
        quote! {
            #[allow(non_camel_case_types)]
            struct #marker;
        }
    };
    match &target.placement {
        Placement::FnBody { function, body } => {
            let marker = format_ident!(
                "{}_{}",
                iec_model::rust_path::MARKER,
                MARKERS.fetch_add(1, Ordering::Relaxed)
            );
            // A `#[test]` function is never an associated function (rustc rejects it
            // there), so `module_path!()` and its name already give its path: no marker.
            let (marker_item, marker) = if ast::keeps_test_path(&target.attrs) {
                (quote! {}, None)
            } else {
                (marker_type(&marker), Some(marker))
            };
            let record = record(ItemParts::of(&target, marker.as_ref()));
            let registration = registration(&private, marker_item, record);
            let syn::ItemFn {
                attrs, vis, sig, ..
            } = &**function;
            let block = with_leading_statements(body, quote! { #tracking #registration });
            quote! { #(#attrs)* #vis #sig #block }
        }
        Placement::ConstInit(_) | Placement::StaticInit(_) => {
            let marker = format_ident!(
                "{}_{}",
                iec_model::rust_path::MARKER,
                MARKERS.fetch_add(1, Ordering::Relaxed)
            );
            let marker_item = marker_type(&marker);
            let record = record(ItemParts::of(&target, Some(&marker)));
            let wrap = |expr: &syn::Expr| -> Box<syn::Expr> {
                let registration = registration(&private, marker_item.clone(), record.clone());
                Box::new(syn::parse_quote! {{
                    #tracking
                    #registration
                    #expr
                }})
            };
            match target.placement {
                Placement::ConstInit(mut item) => {
                    item.expr = wrap(&item.expr);
                    quote! { #item }
                }
                Placement::StaticInit(mut item) => {
                    item.expr = wrap(&item.expr);
                    quote! { #item }
                }
                _ => unreachable!("matched above"),
            }
        }
        Placement::Sibling(tokens) => {
            let record = record(ItemParts::of(&target, None));
            let registration = registration(&private, quote! {}, record);
            let cfgs = ast::cfg_attributes(&target.attrs);
            // `type X = ...;` is also how an associated type in a trait impl reads, where
            // no sibling item can go. An unnamed const there fails with "`const` items in
            // this context need a name"; a named one fails with "const `<name>` is not a
            // member of trait", so the name carries the advice, at the attribute.
            let name = match target.kind {
                ast::Kind::Type => format_ident!(
                    "annotate_the_impl_not_its_associated_type_{}",
                    MARKERS.fetch_add(1, Ordering::Relaxed),
                    span = Span::call_site()
                ),
                _ => format_ident!("_"),
            };
            quote! {
                #tokens
                #(#cfgs)*
                #[allow(non_upper_case_globals, dead_code)]
                const #name: () = {
                    #tracking
                    #registration
                };
            }
        }
    }
}

pub(crate) fn requirement(args: TokenStream, item: TokenStream) -> TokenStream {
    let attribute = Syntax::Attribute("requirement");
    let mut errors = Vec::new();
    let parsed = attr::parse_requirement_args(args.clone(), attribute, &mut errors);
    let target = match ast::classify(&item, attribute, &args, false) {
        Ok(target) => Some(target),
        Err(unsupported) => {
            errors.push(unsupported);
            None
        }
    };
    let args = parsed;
    let is_test = target
        .as_ref()
        .is_some_and(|target| ast::has_test_attribute(&target.attrs));
    let mut doc_lines = None;
    let checked = valid::with_catalogue(&mut errors, |catalogue, errors| {
        valid::check_requirement_ids(catalogue, &args.ids, errors);
        doc_lines = Some(doc::requirement_lines(&args, is_test, Some(catalogue)));
    });
    let Some(mut target) = target.filter(|_| errors.is_empty()) else {
        return fallback(item, errors);
    };
    let doc_lines = doc_lines.unwrap_or_else(|| doc::requirement_lines(&args, is_test, None));
    doc::attach(&mut target, &doc_lines);
    let private = private();
    let ids = &args.ids;
    let qualifiers: Vec<String> = args.qualifiers.iter().map(ToString::to_string).collect();
    let record = |parts: ItemParts| requirement_record(&private, ids, &qualifiers, parts, is_test);
    place(target, &record, checked.tracking)
}

fn requirement_record(
    private: &TokenStream,
    ids: &[LitStr],
    qualifiers: &[String],
    parts: ItemParts,
    is_test: bool,
) -> TokenStream {
    let ItemParts {
        kind,
        name,
        marker,
        site,
    } = parts;
    quote! {
            #private::Annotation::requirement(
                &[#(#ids),*],
                &[#(#qualifiers),*],
                #kind,
                #name,
                #marker,
                #site,
                #is_test,
            )
    }
}

pub(crate) fn problem(args: TokenStream, item: TokenStream) -> TokenStream {
    let attribute = Syntax::Attribute("problem");
    let mut errors = Vec::new();
    let ids = attr::parse_problem_args(args.clone(), &mut errors);
    let target = match ast::classify(&item, attribute, &args, false) {
        Ok(target) if target.kind == ast::Kind::Fn => Some(target),
        Ok(target) => {
            errors.push(syn::Error::new(
                target.name_span,
                "`#[problem]` marks the regression test of a problem report: put it on a test function (`#[test] fn ...`)",
            ));
            None
        }
        Err(unsupported) => {
            errors.push(unsupported);
            None
        }
    };
    let checked = valid::with_catalogue(&mut errors, |catalogue, errors| {
        valid::check_problem_ids(catalogue, &ids, errors);
    });
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return fallback(item, errors);
    };
    let private = private();
    let is_test = ast::has_test_attribute(&target.attrs);
    let record = |ItemParts {
                      kind,
                      name,
                      marker,
                      site,
                  }| {
        quote! {
            #private::Annotation::problem(&[#(#ids),*], #kind, #name, #marker, #site, #is_test)
        }
    };
    place(target, &record, checked.tracking)
}

pub(crate) fn software_unit(args: TokenStream, item: TokenStream) -> TokenStream {
    let attribute = Syntax::Attribute("software_unit");
    let mut errors = Vec::new();
    let parsed = attr::parse_unit_args(args.clone(), attribute, &mut errors);
    let target = match ast::classify(&item, attribute, &args, true) {
        Ok(target) => Some(target),
        Err(unsupported) => {
            errors.push(unsupported);
            None
        }
    };
    let args = parsed;
    let mut doc_lines = None;
    let checked = valid::with_catalogue(&mut errors, |catalogue, errors| {
        if let Some(item) = &args.item {
            valid::check_item_id(catalogue, item, errors);
        }
        doc_lines = Some(doc::unit_lines(&args, Some(catalogue)));
    });
    let Some(mut target) = target.filter(|_| errors.is_empty()) else {
        return fallback(item, errors);
    };
    let doc_lines = doc_lines.unwrap_or_else(|| doc::unit_lines(&args, None));
    doc::attach(&mut target, &doc_lines);
    let unit = unit_declaration(&args);
    let private = private();
    let record = |parts: ItemParts| unit_record(&private, &unit, parts);
    place(target, &record, checked.tracking)
}

fn unit_record(private: &TokenStream, unit: &TokenStream, parts: ItemParts) -> TokenStream {
    let ItemParts {
        kind,
        name,
        marker,
        site,
    } = parts;
    quote! {
        #private::Annotation::software_unit(#unit, #kind, #name, #marker, #site)
    }
}

fn unit_declaration(args: &attr::UnitArgs) -> TokenStream {
    let private = private();
    let id = optional(args.id.as_ref());
    let item = optional(args.item.as_ref());
    let class = optional(args.class.as_ref());
    let segregation = optional(args.segregation.as_ref());
    quote! { #private::UnitDeclaration { id: #id, item: #item, class: #class, segregation: #segregation } }
}

/// The record of a module declared from inside: `module_path!()` is the module itself.
fn module_registration(record: TokenStream, tracking: Option<TokenStream>) -> TokenStream {
    let private = private();
    let registration = registration(&private, quote! {}, record);
    quote! {
        const _: () = {
            #tracking
            #registration
        };
    }
}

pub(crate) fn module_requirement(input: TokenStream) -> TokenStream {
    let attribute = Syntax::Macro("module_requirement");
    let mut errors = Vec::new();
    let args = attr::parse_requirement_args(input, attribute, &mut errors);
    let checked = valid::with_catalogue(&mut errors, |catalogue, errors| {
        valid::check_requirement_ids(catalogue, &args.ids, errors);
    });
    if !errors.is_empty() {
        return fallback(TokenStream::new(), errors);
    }
    let private = private();
    let ids = &args.ids;
    let qualifiers: Vec<String> = args.qualifiers.iter().map(ToString::to_string).collect();
    let record = requirement_record(&private, ids, &qualifiers, ItemParts::module(), false);
    module_registration(record, checked.tracking)
}

pub(crate) fn module_unit(input: TokenStream) -> TokenStream {
    let attribute = Syntax::Macro("module_unit");
    let mut errors = Vec::new();
    let args = attr::parse_unit_args(input, attribute, &mut errors);
    let checked = valid::with_catalogue(&mut errors, |catalogue, errors| {
        if let Some(item) = &args.item {
            valid::check_item_id(catalogue, item, errors);
        }
    });
    if !errors.is_empty() {
        return fallback(TokenStream::new(), errors);
    }
    let private = private();
    let unit = unit_declaration(&args);
    let record = unit_record(&private, &unit, ItemParts::module());
    module_registration(record, checked.tracking)
}
