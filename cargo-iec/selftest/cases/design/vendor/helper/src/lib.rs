//! A third-party crate (SOUP) outside the workspace.

/// Whether `value` is within `limit`.
pub fn within(value: u32, limit: u32) -> bool {
    value <= limit
}
