//! The field names the document gives an answer: what a report made of shapes may repeat.
//! A name an answer carries that is not among them may be a value used as a key (an
//! agent's name, a phone number), so a report says `<key>` in its place.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use crate::error::Error;
use crate::refs::{resolve, resolve_boxed};

/// Every property name reachable from `schema`: its own, its items', its choices' and
/// the schemas they reference, each reference followed once.
///
/// # Errors
///
/// [`Error::Spec`] for a `$ref` the document cannot resolve.
pub fn named_fields(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
) -> Result<BTreeSet<String>, Error> {
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    collect(spec, schema, &mut names, &mut seen)?;
    Ok(names)
}

fn collect(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
    names: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) -> Result<(), Error> {
    if let ReferenceOr::Reference { reference } = schema
        && !seen.insert(reference.clone())
    {
        return Ok(());
    }
    let schema = resolve(spec, schema)?;
    collect_in(spec, schema, names, seen)
}

fn collect_in(
    spec: &OpenAPI,
    schema: &Schema,
    names: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) -> Result<(), Error> {
    let boxed = |item: &ReferenceOr<Box<Schema>>,
                 names: &mut BTreeSet<String>,
                 seen: &mut BTreeSet<String>| {
        match item {
            ReferenceOr::Reference { reference } => collect(
                spec,
                &ReferenceOr::Reference {
                    reference: reference.clone(),
                },
                names,
                seen,
            ),
            ReferenceOr::Item(_) => collect_in(spec, resolve_boxed(spec, item)?, names, seen),
        }
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for (name, property) in &object.properties {
                names.insert(name.clone());
                boxed(property, names, seen)?;
            }
            if let Some(openapiv3::AdditionalProperties::Schema(extra)) =
                &object.additional_properties
            {
                collect(spec, extra, names, seen)?;
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &array.items {
                boxed(items, names, seen)?;
            }
        }
        SchemaKind::OneOf { one_of: choices }
        | SchemaKind::AnyOf { any_of: choices }
        | SchemaKind::AllOf { all_of: choices } => {
            for choice in choices {
                collect(spec, choice, names, seen)?;
            }
        }
        _ => {}
    }
    Ok(())
}
