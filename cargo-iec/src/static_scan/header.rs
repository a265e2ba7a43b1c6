//! Impl headers: the self type and trait of `impl<G> Trait for Type where ...`, read by
//! hand for the common case of paths and with `syn` otherwise.

use std::ops::Range;

use quote::ToTokens;
use syn::ext::IdentExt as _;

use super::lexer::{Kind, Token};
use super::outline::{ImplHeader, SimplePath, Ty};
use super::read::{Cx, index_after_group, tokens_of};

/// Reads an impl header (`impl<T> Trait for Type<T> where ...`, the text before the body):
/// by hand when the self type is a path, the common case, with syn otherwise.
pub(crate) fn impl_header(cx: &mut Cx<'_>, range: Range<usize>) -> Option<Box<ImplHeader>> {
    if let Ok(tokens) = tokens_of(cx.src, range.clone())
        && let Some(header) = simple_impl_header(cx, &tokens)
    {
        return Some(Box::new(header));
    }
    let mut text = String::with_capacity(range.len() + 3);
    text.push_str(&cx.src[range.clone()]);
    text.push_str(" {}");
    let item: syn::ItemImpl = syn::parse_str(&text).ok()?;
    let params: Vec<String> = item
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    let first = item.self_ty.to_token_stream().into_iter().next()?;
    let pos = cx.pos(range.start + first.span().byte_range().start);
    let written = iec_model::rust_path::normalize(&item.self_ty.to_token_stream().to_string());
    Some(Box::new(ImplHeader {
        self_ty: ty_of(&item.self_ty, &params),
        trait_path: item.trait_.as_ref().map(|(_, path, _)| simple_path(path)),
        written,
        pos,
    }))
}

/// Steps over `<...>` starting at `tokens[i]` (a `<`); returns the index after the `>`.
fn skip_angles(tokens: &[Token], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while let Some(token) = tokens.get(i) {
        match token.kind {
            Kind::Punct(b'<') => depth += 1,
            Kind::Punct(b'>') if !(i > 0 && tokens[i - 1].is_punct(b'-')) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            Kind::Open(_) => {
                i = index_after_group(tokens, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `impl<G> [Trait for] Type` where both are paths: read from tokens. `None` for anything
/// else (references, tuples, `dyn`, raw identifiers, ...), which syn reads.
fn simple_impl_header(cx: &mut Cx<'_>, tokens: &[Token]) -> Option<ImplHeader> {
    let ident = |i: usize| {
        tokens
            .get(i)
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| &cx.src[t.start as usize..t.end as usize])
    };
    if ident(0) != Some("impl") {
        return None;
    }
    let mut i = 1;
    let mut params: Vec<&str> = Vec::new();
    if tokens.get(1).is_some_and(|t| t.is_punct(b'<')) {
        let end = skip_angles(tokens, 1)?;
        // Type parameters: identifiers right after `<` or `,` at depth one, not `const`.
        let mut depth = 0usize;
        for k in 1..end {
            match tokens[k].kind {
                Kind::Punct(b'<') => depth += 1,
                Kind::Punct(b'>') if !tokens[k - 1].is_punct(b'-') => depth -= 1,
                Kind::Ident
                    if depth == 1
                        && (tokens[k - 1].is_punct(b'<') || tokens[k - 1].is_punct(b','))
                        && ident(k) != Some("const") =>
                {
                    params.push(ident(k)?);
                }
                _ => {}
            }
        }
        i = end;
    }
    let path = |mut i: usize| -> Option<(SimplePath, usize, usize)> {
        let start = i;
        let mut path = SimplePath {
            leading_colon: false,
            segments: Vec::new(),
        };
        let colons = |i: usize| {
            tokens.get(i).is_some_and(|t| t.is_punct(b':'))
                && tokens.get(i + 1).is_some_and(|t| t.is_punct(b':'))
        };
        if colons(i) {
            path.leading_colon = true;
            i += 2;
        }
        loop {
            let segment = ident(i)?;
            if segment.starts_with("r#") || matches!(segment, "dyn" | "impl" | "for" | "where") {
                return None;
            }
            path.segments.push(segment.to_string());
            i += 1;
            if tokens.get(i).is_some_and(|t| t.is_punct(b'<')) {
                i = skip_angles(tokens, i)?;
            }
            if colons(i) {
                i += 2;
            } else {
                return Some((path, start, i));
            }
        }
    };
    let (first, first_start, after) = path(i)?;
    let (trait_path, self_path, self_start, after) = if ident(after) == Some("for") {
        let (second, second_start, end) = path(after + 1)?;
        (Some(first), second, second_start, end)
    } else {
        (None, first, first_start, after)
    };
    if after != tokens.len() && ident(after) != Some("where") {
        return None;
    }
    let pos = cx.pos(tokens[self_start].start as usize);
    let written = self_path.segments.join("::");
    let self_ty = if self_path.segments.len() == 1
        && !self_path.leading_colon
        && params.contains(&self_path.segments[0].as_str())
    {
        Ty::Param
    } else {
        Ty::Path(self_path)
    };
    Some(ImplHeader {
        self_ty,
        trait_path,
        written,
        pos,
    })
}

fn simple_path(path: &syn::Path) -> SimplePath {
    SimplePath {
        leading_colon: path.leading_colon.is_some(),
        segments: path
            .segments
            .iter()
            .map(|s| s.ident.unraw().to_string())
            .collect(),
    }
}

fn ty_of(ty: &syn::Type, params: &[String]) -> Ty {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => {
            let path = simple_path(&p.path);
            if path.segments.len() == 1 && !path.leading_colon && params.contains(&path.segments[0])
            {
                Ty::Param
            } else {
                Ty::Path(path)
            }
        }
        syn::Type::Reference(r) => Ty::Ref {
            mutable: r.mutability.is_some(),
            inner: Box::new(ty_of(&r.elem, params)),
        },
        syn::Type::Ptr(p) => Ty::Ptr {
            mutable: p.mutability.is_some(),
            inner: Box::new(ty_of(&p.elem, params)),
        },
        syn::Type::Slice(s) => Ty::Slice(Box::new(ty_of(&s.elem, params))),
        syn::Type::Array(a) => Ty::Array(
            Box::new(ty_of(&a.elem, params)),
            a.len.to_token_stream().to_string(),
        ),
        syn::Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(|e| ty_of(e, params)).collect()),
        syn::Type::Paren(p) => ty_of(&p.elem, params),
        syn::Type::Group(g) => ty_of(&g.elem, params),
        syn::Type::TraitObject(t) => t
            .bounds
            .iter()
            .find_map(|b| match b {
                syn::TypeParamBound::Trait(t) => Some(Ty::Dyn(simple_path(&t.path))),
                _ => None,
            })
            .unwrap_or_else(|| Ty::Other(ty.to_token_stream().to_string())),
        other => Ty::Other(other.to_token_stream().to_string()),
    }
}
