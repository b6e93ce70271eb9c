//! An answer compared with what the document says of it, by shape only: required fields
//! missing, fields the document does not have, types that differ (a number sent as text,
//! an object where a list is documented), and text padded with NUL characters; and what
//! the document allows without describing: fields of an open object it does not name, a
//! number sent as text where it accepts either. A difference names a field's path and
//! types, never a value, so a list of them can leave the machine it was made on: what a
//! conformance report from a real gateway (`ccgw probe`) is made of.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::error::Error;
use crate::refs::{resolve, resolve_boxed};

mod names;
pub use names::named_fields;

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number without a fraction.
    Integer,
    /// A number with a fraction.
    Number,
    /// Text.
    String,
    /// A list.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The type of `value`.
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// Its name, as JSON Schema writes it.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// How an answer differs from the document at one field (`result.skilllist[].id`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// A required field is absent.
    Missing {
        /// The field.
        path: String,
    },
    /// A field the document does not describe, in an object it closes.
    Extra {
        /// The field.
        path: String,
        /// Its name alone, as the answer spelled it (it may hold a `.`).
        name: String,
        /// Its type.
        seen: JsonType,
    },
    /// A field the document does not describe, in an object it leaves open: allowed.
    Undocumented {
        /// The field.
        path: String,
        /// Its name alone, as the answer spelled it (it may hold a `.`).
        name: String,
        /// Its type.
        seen: JsonType,
    },
    /// A number sent as text (digits in a string) where the document accepts text but
    /// names a number first, as the reference types it: allowed, and worth knowing.
    NumberAsText {
        /// The field.
        path: String,
    },
    /// Another type than the document's.
    Type {
        /// The field.
        path: String,
        /// What the document says.
        documented: String,
        /// What came.
        seen: JsonType,
    },
    /// Text that ends in (or holds) NUL characters.
    NulPadded {
        /// The field.
        path: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing { path } => write!(f, "{path}: missing"),
            Difference::Extra { path, seen, .. } => {
                write!(f, "{path}: {} not in the document", seen.name())
            }
            Difference::Undocumented { path, seen, .. } => {
                write!(
                    f,
                    "{path}: {} the document allows but does not name",
                    seen.name()
                )
            }
            Difference::NumberAsText { path } => write!(f, "{path}: number sent as text"),
            Difference::Type {
                path,
                documented,
                seen,
            } => write!(
                f,
                "{path}: {} where the document says {documented}",
                seen.name()
            ),
            Difference::NulPadded { path } => write!(f, "{path}: text padded with NUL"),
        }
    }
}

impl Difference {
    /// The field it is about.
    pub fn path(&self) -> &str {
        match self {
            Difference::Missing { path }
            | Difference::Extra { path, .. }
            | Difference::Undocumented { path, .. }
            | Difference::NumberAsText { path }
            | Difference::Type { path, .. }
            | Difference::NulPadded { path } => path,
        }
    }

    /// Whether the document allows it (a field of an open object it does not name, a
    /// number as text where it accepts either): such an answer still has its shape.
    pub fn is_allowed(&self) -> bool {
        matches!(
            self,
            Difference::Undocumented { .. } | Difference::NumberAsText { .. }
        )
    }
}

/// The schema of the answer `operation_id` sends with HTTP 200 as JSON, when the document
/// has that operation and describes that answer.
///
/// # Errors
///
/// [`Error::Spec`] for a `$ref` the document cannot resolve.
pub fn answer_schema(
    spec: &OpenAPI,
    operation_id: &str,
) -> Result<Option<ReferenceOr<Schema>>, Error> {
    for (_, item) in spec.paths.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, op) in item.iter() {
            if op.operation_id.as_deref() != Some(operation_id) {
                continue;
            }
            let Some(answer) = op
                .responses
                .responses
                .get(&openapiv3::StatusCode::Code(200))
            else {
                return Ok(None);
            };
            let answer = resolve(spec, answer)?;
            return Ok(answer
                .content
                .get("application/json")
                .and_then(|media| media.schema.clone()));
        }
    }
    Ok(None)
}

/// Every way `value` differs from `schema`, each once, in order.
///
/// # Errors
///
/// [`Error::Spec`] for a `$ref` the document cannot resolve.
pub fn differences(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
    value: &Value,
) -> Result<Vec<Difference>, Error> {
    let mut found = BTreeSet::new();
    walk(spec, resolve(spec, schema)?, value, "", &mut found)?;
    Ok(found.into_iter().collect())
}

/// `field` below `path` (`result.status`).
pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn walk(
    spec: &OpenAPI,
    schema: &Schema,
    value: &Value,
    path: &str,
    found: &mut BTreeSet<Difference>,
) -> Result<(), Error> {
    if value.is_null() && schema.schema_data.nullable {
        return Ok(());
    }
    let seen = JsonType::of(value);
    let wrong = |documented: &str, found: &mut BTreeSet<Difference>| {
        found.insert(Difference::Type {
            path: path.to_owned(),
            documented: documented.to_owned(),
            seen,
        });
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            let Value::Object(fields) = value else {
                wrong("object", found);
                return Ok(());
            };
            for name in &object.required {
                if !fields.contains_key(name) {
                    found.insert(Difference::Missing {
                        path: join(path, name),
                    });
                }
            }
            let open = object.additional_properties.is_some();
            for (name, field) in fields {
                match object.properties.get(name) {
                    Some(property) => {
                        let property = resolve_boxed(spec, property)?;
                        walk(spec, property, field, &join(path, name), found)?;
                    }
                    None if open => {
                        found.insert(Difference::Undocumented {
                            path: join(path, name),
                            name: name.clone(),
                            seen: JsonType::of(field),
                        });
                    }
                    None => {
                        found.insert(Difference::Extra {
                            path: join(path, name),
                            name: name.clone(),
                            seen: JsonType::of(field),
                        });
                    }
                }
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            let Value::Array(items) = value else {
                wrong("array", found);
                return Ok(());
            };
            if let Some(item) = &array.items {
                let item = resolve_boxed(spec, item)?;
                let path = format!("{path}[]");
                for each in items {
                    walk(spec, item, each, &path, found)?;
                }
            }
        }
        SchemaKind::Type(Type::String(_)) => match value {
            Value::String(text) if text.contains('\0') => {
                found.insert(Difference::NulPadded {
                    path: path.to_owned(),
                });
            }
            Value::String(_) => {}
            _ => wrong("string", found),
        },
        SchemaKind::Type(Type::Integer(_)) if seen != JsonType::Integer => wrong("integer", found),
        SchemaKind::Type(Type::Number(_))
            if !matches!(seen, JsonType::Integer | JsonType::Number) =>
        {
            wrong("number", found)
        }
        SchemaKind::Type(Type::Boolean(_)) if seen != JsonType::Boolean => wrong("boolean", found),
        SchemaKind::OneOf { one_of: choices } | SchemaKind::AnyOf { any_of: choices } => {
            // The choice that fits best: one of the value's own type first, then the one
            // with the fewest differences.
            let score = |tried: &BTreeSet<Difference>| {
                let mismatch = tried
                    .iter()
                    .any(|d| matches!(d, Difference::Type { path: p, .. } if p == path));
                (mismatch, tried.len())
            };
            let mut best: Option<BTreeSet<Difference>> = None;
            for choice in choices {
                let mut tried = BTreeSet::new();
                walk(spec, resolve(spec, choice)?, value, path, &mut tried)?;
                if best.as_ref().is_none_or(|b| score(&tried) < score(b)) {
                    best = Some(tried);
                }
            }
            let best = best.unwrap_or_default();
            // The first choice is what the reference says: digits in text where it says
            // a number are a number sent as text.
            let number_first = choices.first().is_some_and(|choice| {
                resolve(spec, choice)
                    .is_ok_and(|s| matches!(s.schema_kind, SchemaKind::Type(Type::Integer(_))))
            });
            if number_first
                && let Value::String(text) = value
                && !text.is_empty()
                && text
                    .trim_end_matches('\0')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                found.insert(Difference::NumberAsText {
                    path: path.to_owned(),
                });
            }
            found.extend(best);
        }
        SchemaKind::AllOf { all_of } => {
            for part in all_of {
                walk(spec, resolve(spec, part)?, value, path, found)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;
