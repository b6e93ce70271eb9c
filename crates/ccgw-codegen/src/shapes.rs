//! An answer compared with what the document says of it, by shape only: required fields
//! missing, fields the document does not have, types that differ (a number sent as text,
//! an object where a list is documented), and text padded with NUL characters. A
//! difference names a field's path and types, never a value, so a list of them can leave
//! the machine it was made on: the groundwork of a conformance report from a real gateway.

use std::collections::BTreeSet;
use std::fmt;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::error::Error;
use crate::refs::{resolve, resolve_boxed};

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
    /// A field the document does not describe.
    Extra {
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
            Difference::Extra { path } => write!(f, "{path}: not in the document"),
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

fn join(path: &str, field: &str) -> String {
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
                    None if open => {}
                    None => {
                        found.insert(Difference::Extra {
                            path: join(path, name),
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
            found.extend(best.unwrap_or_default());
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
mod tests {
    use super::*;

    fn spec() -> OpenAPI {
        let text = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Answer:
      type: object
      required: [retcode]
      properties:
        retcode: {type: string}
        message: {type: string}
        result: {$ref: "#/components/schemas/Agent"}
    Agent:
      type: object
      required: [workno, status]
      properties:
        workno: {type: string}
        status:
          oneOf: [{type: integer}, {type: string}]
        skills:
          type: array
          items: {type: object, properties: {id: {type: integer}}}
        note: {type: string, nullable: true}
"##;
        serde_norway::from_str(text).unwrap()
    }

    fn answer() -> ReferenceOr<Schema> {
        ReferenceOr::Reference {
            reference: "#/components/schemas/Answer".to_owned(),
        }
    }

    #[test]
    fn a_matching_answer_has_no_difference() {
        let value = serde_json::json!({"retcode": "0", "result": {
            "workno": "1001", "status": 4, "skills": [{"id": 1}], "note": null}});
        assert!(differences(&spec(), &answer(), &value).unwrap().is_empty());
    }

    #[test]
    fn each_difference_names_the_field_never_the_value() {
        let value = serde_json::json!({"message": "Zhang San 13800001111", "result": {
            "workno": 1001, "status": "4\u{0}\u{0}", "skills": [{"id": "1"}, {"id": "2"}],
            "phone": "13800001111"}});
        let found = differences(&spec(), &answer(), &value).unwrap();
        let words: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert_eq!(
            words,
            [
                "retcode: missing",
                "result.phone: not in the document",
                "result.skills[].id: string where the document says integer",
                "result.workno: integer where the document says string",
                "result.status: text padded with NUL",
            ]
        );
        assert!(
            !words.concat().contains("1380000"),
            "no value reaches a difference"
        );
    }

    #[test]
    fn an_object_where_a_list_is_documented_is_a_type_difference() {
        let value = serde_json::json!({"retcode": "0", "result": {
            "workno": "1001", "status": 4, "skills": {"id": 1}}});
        let found = differences(&spec(), &answer(), &value).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].to_string(),
            "result.skills: object where the document says array"
        );
    }
}
