//! The answers a real gateway may send in place of the documented one, made from the
//! document itself: for every field of an operation's answer, each plausible other form
//! (a number sent as text, text sent as a number, `null` or `""` for an object, one
//! object for a list, an optional field left out, NUL padding), an undocumented field
//! added to each object, and the whole answer in GBK. Told as the differences a probe
//! report names, so that a simulator can answer in them (`ccgw_sim::shapes`); the shapes
//! themselves are read with [`crate::shapes`].

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Schema, SchemaKind, Type};
use serde_json::{Value, json};

use crate::error::Error;
use crate::refs::{resolve, resolve_boxed};
use crate::shapes::{answer_schema, join};

/// One way an answer may differ from the document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Variant {
    /// What differs, as a probe report's difference (`{"kind": ..., "path": ...}`), or
    /// `None` for the answer as documented but encoded in GBK.
    pub difference: Option<String>,
}

impl Variant {
    fn of(difference: Value) -> Variant {
        Variant {
            difference: Some(difference.to_string()),
        }
    }

    /// A probe report (`ccgw-probe/1`'s shape) in which `operation` answers this way.
    pub fn report(&self, operation: &str) -> Value {
        match &self.difference {
            Some(difference) => {
                let difference: Value = serde_json::from_str(difference).expect("made as JSON");
                json!({"operations": [{"operation": operation, "differences": [difference]}]})
            }
            None => json!({"operations": [{"operation": operation, "charset": ["GBK"]}]}),
        }
    }

    /// In a few words, for a test's message.
    pub fn words(&self) -> String {
        self.difference.clone().unwrap_or_else(|| "GBK".to_owned())
    }
}

/// Every variant of `operation_id`'s answer, each once, GBK first; none when the
/// document does not describe that answer as JSON.
///
/// # Errors
///
/// [`Error::Spec`] for a `$ref` the document cannot resolve.
pub fn variants(spec: &OpenAPI, operation_id: &str) -> Result<Vec<Variant>, Error> {
    let Some(schema) = answer_schema(spec, operation_id)? else {
        return Ok(Vec::new());
    };
    let mut found = BTreeSet::new();
    walk(spec, resolve(spec, &schema)?, "", true, 0, &mut found)?;
    let mut all = vec![Variant { difference: None }];
    all.extend(found);
    Ok(all)
}

/// How deep a walk goes: answers nest a few levels at most.
const DEEPEST: usize = 6;

fn walk(
    spec: &OpenAPI,
    schema: &Schema,
    path: &str,
    required: bool,
    depth: usize,
    found: &mut BTreeSet<Variant>,
) -> Result<(), Error> {
    if depth > DEEPEST {
        return Ok(());
    }
    let field = !path.is_empty() && !path.ends_with("[]");
    if field && !required {
        found.insert(Variant::of(json!({"kind": "missing", "path": path})));
    }
    let retyped = |seen: &str| Variant::of(json!({"kind": "type", "path": path, "seen": seen}));
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            if field {
                found.insert(retyped("null"));
                found.insert(retyped("string"));
            }
            let extra = join(path, "x_undocumented");
            found.insert(Variant::of(
                json!({"kind": "undocumented", "path": extra, "seen": "string"}),
            ));
            for (name, property) in &object.properties {
                let property = resolve_boxed(spec, property)?;
                let required = object.required.contains(name);
                walk(
                    spec,
                    property,
                    &join(path, name),
                    required,
                    depth + 1,
                    found,
                )?;
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if field {
                found.insert(retyped("object"));
                found.insert(retyped("null"));
            }
            if let Some(items) = &array.items {
                let items = resolve_boxed(spec, items)?;
                walk(spec, items, &format!("{path}[]"), true, depth + 1, found)?;
            }
        }
        SchemaKind::Type(Type::String(_)) if field => {
            found.insert(retyped("integer"));
            found.insert(Variant::of(json!({"kind": "nul_padded", "path": path})));
        }
        SchemaKind::Type(Type::Integer(_) | Type::Number(_)) if field => {
            found.insert(Variant::of(json!({"kind": "number_as_text", "path": path})));
        }
        SchemaKind::OneOf { one_of: choices } | SchemaKind::AnyOf { any_of: choices } => {
            if field {
                found.insert(Variant::of(json!({"kind": "number_as_text", "path": path})));
                found.insert(retyped("integer"));
            }
            for choice in choices {
                let choice = resolve(spec, choice)?;
                let nested = matches!(
                    choice.schema_kind,
                    SchemaKind::Type(Type::Object(_) | Type::Array(_))
                );
                if nested {
                    walk(spec, choice, path, required, depth + 1, found)?;
                }
            }
        }
        SchemaKind::AllOf { all_of } => {
            for part in all_of {
                walk(spec, resolve(spec, part)?, path, required, depth + 1, found)?;
            }
        }
        _ => {}
    }
    Ok(())
}
