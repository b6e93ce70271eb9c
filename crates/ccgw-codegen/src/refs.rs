//! Following `$ref`s to the document's own components: the one resolver for every piece
//! of code that reads the document (the lint tests, the simulator's contract tests).

use openapiv3::{Components, OpenAPI, Parameter, ReferenceOr, RequestBody, Response, Schema};

use crate::error::Error;

/// A kind of item that can stand in the document's `components`.
pub trait Component: Sized {
    /// Where references to this kind point, such as `#/components/schemas/`.
    const PREFIX: &'static str;

    /// The component called `name`, if the document has one.
    fn lookup<'a>(components: &'a Components, name: &str) -> Option<&'a ReferenceOr<Self>>;
}

macro_rules! component {
    ($type:ty, $field:ident) => {
        impl Component for $type {
            const PREFIX: &'static str = concat!("#/components/", stringify!($field), "/");

            fn lookup<'a>(components: &'a Components, name: &str) -> Option<&'a ReferenceOr<Self>> {
                components.$field.get(name)
            }
        }
    };
}

component!(Schema, schemas);
component!(Parameter, parameters);
component!(Response, responses);
component!(RequestBody, request_bodies);

/// How many references in a row are followed before the document is called circular.
const MAX_HOPS: usize = 16;

fn follow<'a, T: Component>(
    spec: &'a OpenAPI,
    reference: &str,
) -> Result<&'a ReferenceOr<T>, Error> {
    let name = reference
        .strip_prefix(T::PREFIX)
        .ok_or_else(|| Error::Spec(format!("{reference} does not point into {}", T::PREFIX)))?;
    spec.components
        .as_ref()
        .and_then(|c| T::lookup(c, name))
        .ok_or_else(|| Error::Spec(format!("{reference}: no such component")))
}

/// The item `item` stands for: itself, or the component its `$ref` names (following
/// references to references).
pub fn resolve<'a, T: Component>(
    spec: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
) -> Result<&'a T, Error> {
    let mut current = item;
    for _ in 0..MAX_HOPS {
        match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => current = follow(spec, reference)?,
        }
    }
    Err(Error::Spec(format!(
        "more than {MAX_HOPS} references in a row"
    )))
}

/// Like [`resolve`], for the boxed schemas of properties and array items.
pub fn resolve_boxed<'a>(
    spec: &'a OpenAPI,
    schema: &'a ReferenceOr<Box<Schema>>,
) -> Result<&'a Schema, Error> {
    match schema {
        ReferenceOr::Item(schema) => Ok(schema),
        ReferenceOr::Reference { reference } => resolve(spec, follow(spec, reference)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> OpenAPI {
        crate::parse(yaml).unwrap()
    }

    const DOC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {type: string}
    Loop: {$ref: "#/components/schemas/Loop"}
"##;

    #[test]
    fn references_are_followed_to_their_item() {
        let spec = spec(DOC);
        let a = ReferenceOr::<Schema>::ref_("#/components/schemas/A");
        let resolved = resolve(&spec, &a).unwrap();
        assert!(matches!(
            resolved.schema_kind,
            openapiv3::SchemaKind::Type(openapiv3::Type::String(_))
        ));
    }

    #[test]
    fn missing_foreign_and_circular_references_are_errors() {
        let spec = spec(DOC);
        for bad in [
            "#/components/schemas/Nope",
            "#/components/parameters/B",
            "other.yaml#/B",
            "#/components/schemas/Loop",
        ] {
            let r = ReferenceOr::<Schema>::ref_(bad);
            assert!(resolve(&spec, &r).is_err(), "{bad}");
        }
    }
}
