//! Rust paths as the trace shows them.
//!
//! An attribute on a method cannot see its impl's type, so the macros declare a marker
//! type (`struct __iec_item_path_N;`) in the method's body and ask the compiler for its
//! name at run time (`core::any::type_name`, spelled like `type_name_of_val` of a nested
//! function in FINDINGS.md: the enclosing function's path, impl included). The compiler's
//! spelling carries
//! generic arguments, qualified `<Type as Trait>::method` forms and `{{closure}}` segments;
//! [`normalize`] reduces it to the path a person would write: `crate::module::Type::method`.

/// The name of the marker type the macros generate; [`normalize`] drops it.
pub const MARKER: &str = "__iec_item_path";

/// Reduces a compiler-printed path (`type_name`, `module_path!()`, or a stringified type)
/// to `crate::module::Type::item`:
/// `<a::Pid<_> as a::Biquad<_, _>>::run::__iec_item_path` becomes `a::Pid::run`.
pub fn normalize(raw: &str) -> String {
    let unqualified = strip_qualified(raw.trim());
    let compact: String = unqualified.chars().filter(|c| !c.is_whitespace()).collect();
    let mut segments: Vec<String> = Vec::new();
    for segment in split_top_level(&strip_generics(&compact)) {
        if segment.is_empty() || (segment.starts_with("{{") && segment.ends_with("}}")) {
            continue;
        }
        segments.push(segment);
    }
    if segments.last().is_some_and(|last| is_marker(last)) {
        segments.pop();
    }
    segments.join("::")
}

/// The macros name markers `__iec_item_path_<n>` so several annotations on one function
/// do not collide.
fn is_marker(segment: &str) -> bool {
    segment.strip_prefix(MARKER).is_some_and(|rest| {
        rest.is_empty()
            || rest
                .strip_prefix('_')
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Rewrites a leading `<Self as Trait>` group to `Self` (recursively, for nested ones).
/// Works on the compiler's spelling, where `as` is surrounded by spaces.
fn strip_qualified(path: &str) -> String {
    let Some(rest) = path.strip_prefix('<') else {
        return path.to_string();
    };
    let bytes = rest.as_bytes();
    let mut depth = 1usize;
    let mut as_at = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' if i > 0 && bytes[i - 1] == b'-' => {}
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    let self_type = &rest[..as_at.unwrap_or(i)];
                    return format!("{}{}", strip_qualified(self_type.trim()), &rest[i + 1..]);
                }
            }
            b' ' if depth == 1 && as_at.is_none() && rest[i..].starts_with(" as ") => {
                as_at = Some(i);
            }
            _ => {}
        }
    }
    path.to_string()
}

fn strip_generics(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    let mut previous = '\0';
    for c in path.chars() {
        match c {
            '<' => depth += 1,
            '>' if previous == '-' => {}
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
        previous = c;
    }
    out
}

fn split_top_level(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars().peekable();
    let mut brace_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                brace_depth += 1;
                current.push(c);
            }
            '}' => {
                brace_depth = brace_depth.saturating_sub(1);
                current.push(c);
            }
            ':' if brace_depth == 0 && chars.peek() == Some(&':') => {
                chars.next();
                segments.push(std::mem::take(&mut current));
            }
            _ => current.push(c),
        }
    }
    segments.push(current);
    segments
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn inherent_generic_method() {
        assert_eq!(
            normalize("main::m::Pid<_>::p::__iec_item_path_12"),
            "main::m::Pid::p"
        );
        assert_eq!(
            normalize("p2::m::Pid<_>::K::__iec_item_path_3"),
            "p2::m::Pid::K"
        );
    }

    #[test]
    fn trait_impl_method() {
        assert_eq!(
            normalize("<main::m::Pid<_> as main::m::Biquad<_, _>>::run::__iec_item_path"),
            "main::m::Pid::run"
        );
        assert_eq!(
            normalize("<main::m::Pid<_> as core::ops::drop::Drop>::drop::__iec_item_path"),
            "main::m::Pid::drop"
        );
        assert_eq!(
            normalize("<pump::Motor as pump::Actuator>::stop::__iec_item_path"),
            "pump::Motor::stop"
        );
    }

    #[test]
    fn trait_default_method_and_macro_generated_fn() {
        assert_eq!(
            normalize("main::m::Biquad::dflt::__iec_item_path"),
            "main::m::Biquad::dflt"
        );
        assert_eq!(
            normalize("main::m::tachy::__iec_item_path"),
            "main::m::tachy"
        );
    }

    #[test]
    fn lifetimes_const_generics_and_closures() {
        assert_eq!(
            normalize("t2::outer::inner::S2<'_, N>::g::__iec_item_path"),
            "t2::outer::inner::S2::g"
        );
        assert_eq!(
            normalize("a::with_closure::{{closure}}::__iec_item_path"),
            "a::with_closure"
        );
    }

    #[test]
    fn stringified_types_lose_spaces_and_generics() {
        assert_eq!(normalize("PumpStateMachine < T , 4 >"), "PumpStateMachine");
        assert_eq!(normalize("a :: b :: Fn < fn(u8) -> u8 >"), "a::b::Fn");
    }
}
