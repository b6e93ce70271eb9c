//! The `Answer` trait appended to the generated client: what every gateway answer shares
//! (a `retcode`, and a `message` that may be absent), implemented for each answer schema
//! the document defines, so that the hand-written client checks every answer with one
//! generic function and a new answer schema gets the trait without anyone listing it.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::error::Error;

/// The names of the component schemas that are gateway answers: objects that require a
/// string `retcode` and may carry a string `message`. An object that has a `retcode` but
/// breaks that shape is a document error, not something to skip.
pub fn answer_schemas(spec: &OpenAPI) -> Result<Vec<AnswerSchema>, Error> {
    let Some(components) = &spec.components else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            continue;
        };
        let Some(retcode) = object.properties.get("retcode") else {
            continue;
        };
        let is_string = |property: &ReferenceOr<Box<openapiv3::Schema>>| {
            matches!(property, ReferenceOr::Item(s)
                if matches!(s.schema_kind, SchemaKind::Type(Type::String(_))))
        };
        let message = object.properties.get("message");
        let message_ok =
            message.is_none_or(|m| is_string(m) && !object.required.iter().any(|r| r == "message"));
        if !is_string(retcode) || !object.required.iter().any(|r| r == "retcode") || !message_ok {
            return Err(Error::Spec(format!(
                "{name}: an answer needs a required string retcode and an optional string message"
            )));
        }
        names.push(AnswerSchema {
            name: name.clone(),
            has_message: message.is_some(),
        });
    }
    Ok(names)
}

/// One answer schema of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerSchema {
    /// The component's name, which is also the generated type's.
    pub name: String,
    /// Whether it defines a `message`.
    pub has_message: bool,
}

/// The trait and its implementations.
pub(crate) fn answer_tokens(answers: &[AnswerSchema]) -> TokenStream {
    let impls = answers.iter().map(|answer| {
        let ty = format_ident!("{}", answer.name);
        let message = if answer.has_message {
            quote! { self.message.as_deref().unwrap_or_default() }
        } else {
            quote! { "" }
        };
        quote! {
            impl Answer for types::#ty {
                fn retcode(&self) -> &str {
                    &self.retcode
                }
                fn message(&self) -> &str {
                    #message
                }
            }
        }
    });
    quote! {
        /// What every gateway answer carries: `retcode` (`"0"` for success) and a
        /// `message` that may be absent. Implemented for every answer type of the
        /// document.
        pub trait Answer {
            /// The answer's `retcode`.
            fn retcode(&self) -> &str;
            /// The answer's `message`, empty when absent.
            fn message(&self) -> &str;
        }

        #(#impls)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schemas: &str) -> OpenAPI {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        crate::parse(&yaml).unwrap()
    }

    #[test]
    fn objects_with_a_retcode_are_answers_and_others_are_not() {
        let found = answer_schemas(&spec(
            "    A: {type: object, required: [retcode], properties: {retcode: {type: string}, message: {type: string}}}\n\
             \x20   B: {type: object, required: [retcode], properties: {retcode: {type: string}}}\n\
             \x20   C: {type: object, properties: {name: {type: string}}}\n",
        ))
        .unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|a| (a.name.as_str(), a.has_message))
            .collect();
        assert_eq!(names, [("A", true), ("B", false)]);
    }

    #[test]
    fn a_retcode_that_is_not_a_required_string_fails_generation() {
        for bad in [
            "    A: {type: object, properties: {retcode: {type: string}}}\n",
            "    A: {type: object, required: [retcode], properties: {retcode: {type: integer}}}\n",
            "    A: {type: object, required: [retcode, message], properties: {retcode: {type: string}, message: {type: string}}}\n",
        ] {
            let e = answer_schemas(&spec(bad)).unwrap_err();
            assert!(e.to_string().contains("A: an answer needs"), "{e}");
        }
    }

    #[test]
    fn every_answer_of_the_document_is_found() {
        let doc = crate::workspace_spec(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let found = answer_schemas(&crate::parse(&doc).unwrap()).unwrap();
        assert!(found.len() >= 12, "{found:?}");
        assert!(found.iter().any(|a| a.name == "CommonAnswer"));
        assert!(found.iter().any(|a| a.name == "EventAnswer"));
    }
}
