//! Reading BOS's JSON request documents: serde_json, after a bound on how deeply arrays and
//! objects nest.
//!
//! serde_json refuses more than 128 levels in what it builds, but skips the values of unknown
//! fields without any bound (iteratively, so safely, yet the document is then accepted however
//! deep it is). BOS's documents need 3 levels; anything nested past [`MAX_DEPTH`] is
//! MalformedJSON before serde_json sees it, wherever the nesting is.

use super::error::BosError;
use serde::de::DeserializeOwned;

/// The deepest arrays and objects may nest, the outermost value being at depth 1.
pub const MAX_DEPTH: usize = 32;

/// Deserializes a request document; invalid JSON, or JSON nested past [`MAX_DEPTH`], is
/// MalformedJSON.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BosError> {
    if nested_deeper_than(bytes, MAX_DEPTH) {
        return Err(BosError::malformed_json(format!(
            "The JSON you provided nests arrays and objects deeper than {MAX_DEPTH} levels."
        )));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| BosError::malformed_json(format!("The JSON you provided is not valid: {e}")))
}

/// Whether `[` and `{` outside strings nest past `max` anywhere in `bytes`. For valid JSON
/// this is exactly its nesting; for anything else it is at least what a parser reads before
/// refusing it (a string ends at its first unescaped `"`, as in every JSON parser).
pub fn nested_deeper_than(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn arrays(depth: usize) -> String {
        ["[".repeat(depth), "]".repeat(depth)].concat()
    }

    #[test]
    fn counts_only_brackets_outside_strings() {
        assert!(!nested_deeper_than(br#"{"a": [1, {"b": []}]}"#, 4));
        assert!(nested_deeper_than(br#"{"a": [1, {"b": []}]}"#, 3));
        assert!(!nested_deeper_than(br#"{"a": "[[[[{{{{"}"#, 1));
        // An escaped quote does not end the string; an escaped backslash does not escape it.
        assert!(!nested_deeper_than(br#"{"a": "\"[[[[", "b": 1}"#, 1));
        assert!(nested_deeper_than(br#"{"a": "\\", "b": [[]]}"#, 2));
        // Closers never take the depth below zero.
        assert!(nested_deeper_than(b"]]]][[", 1));
    }

    #[test]
    fn nesting_up_to_the_bound_is_read() {
        let doc = format!(r#"{{"status": "enabled", "x": {}}}"#, arrays(MAX_DEPTH - 1));
        let v: Value = read(doc.as_bytes()).unwrap();
        assert_eq!(v["status"], "enabled");
    }

    #[test]
    fn nesting_past_the_bound_is_malformed_json_even_where_serde_json_skips_it() {
        #[derive(serde::Deserialize)]
        struct Doc {
            #[allow(dead_code)]
            status: String,
        }
        for depth in [MAX_DEPTH, 35_000] {
            let doc = format!(r#"{{"status": "enabled", "x": {}}}"#, arrays(depth));
            // serde_json alone skips the unknown field, however deep.
            assert!(serde_json::from_slice::<Doc>(doc.as_bytes()).is_ok());
            let e = read::<Doc>(doc.as_bytes()).err().unwrap();
            assert_eq!(e.code, "MalformedJSON");
        }
    }
}
