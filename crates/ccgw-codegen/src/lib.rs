//! Generation of the `ccgw-api` client from `openapi/cc-gateway.yaml`.
//!
//! This crate is the only place where generation settings live. Both the build script of
//! `ccgw-api` and `cargo xtask regen` call [`generate`], so what is compiled and what is
//! reviewed as a snapshot are the same text.
//!
//! # Settings, and why
//!
//! * **Builder interface, one merged client.** Every operation is a method on one
//!   `Client` returning a request builder (`client.switch_listen_insert().agentid(..)`).
//!   Builders name every argument at the call site, which matters when two of them are
//!   agent IDs, and progenitor's positional style combined with per-tag traits is not
//!   supported. Tags stay visible in the operation table (see below).
//! * **An inner type and expected hooks.** The generated `Client` carries a
//!   `crate::hooks::Hooks` value and `ccgw-api` implements progenitor's `ClientHooks` for
//!   it by hand. Hooks are the only place that sees the raw request and answer, so that is
//!   where cookies, the `Set-GUID` capture and the answer size cap happen. The orphan rule
//!   forces that implementation into the crate that holds the generated code.
//! * **A leaner request path.** After generation, each request's URL comes from
//!   `Client::operation_url` in `ccgw-api` (the base URL parsed once, each distinct path
//!   built once) rather than being formatted as text for reqwest to parse again on every
//!   request, and progenitor's `api-version` header, which the gateway does not define,
//!   is left out. What each rewrite is worth is measured with
//!   `cargo bench -p ccgw --bench concurrency` and kept in BENCHMARKS.md; generation fails
//!   if a rewrite no longer applies to every operation.
//! * **`schemars::JsonSchema` on every generated type**, behind the `schemars` feature
//!   of `ccgw-api`, for users who describe the wire types in schemas of their own; others
//!   do not compile schemars at all. progenitor derives it unconditionally, so the derive
//!   is moved into a `cfg_attr` after generation. Nothing in this workspace relies on it:
//!   the simulator's contract tests compare the simulator's own answer types with the
//!   document.
//! * **Patterns left to `ccgw`.** The document's string `pattern`s (agent and call IDs)
//!   are cleared before typify sees them: `ccgw`'s ID types check them in plain code, and
//!   typify's checks would put a regular-expression engine (`regress`) into every
//!   consumer's build a second time, for checks already made. Generation fails if a
//!   pattern still reaches the output.
//! * **An operation table.** Besides progenitor's output, [`generate`] appends a module
//!   `operations` with what the hand-written client acts on: each operation's gateway
//!   log name (`x-log-name`, which names spans and errors), whether it changes state
//!   (`x-state-changing`: an unknown outcome makes a tracked mode unknown) and whether it
//!   is a toggle (`x-toggle`: a success flips the tracked mode). Its method, path, log
//!   name confirmation and Guid requirement go into each constant's documentation, and
//!   its retcodes (`x-retcodes`) into an `errors_doc!` macro that writes the `# Errors`
//!   section of the client's methods, so neither can drift from the document.
//!   [`operation_facts`] reads all of them, for tests.
//! * **An `Answer` trait** (`retcode`, `message`) implemented for every answer schema of
//!   the document ([`answer_schemas`]), so that the hand-written client checks any answer
//!   with one generic function and no hand-kept list of types.

#![deny(missing_docs)]

mod answers;
mod error;
mod lean;
mod operations;
mod refs;
mod settings;
pub mod shapes;
mod text_params;
pub mod variants;

use std::path::{Path, PathBuf};

pub use answers::{AnswerSchema, answer_schemas};
pub use error::Error;
pub use operations::{AnswerEntries, OperationFacts, operation_facts, retcode_meanings};
pub use refs::{Component, resolve, resolve_boxed};

/// Where the document lives, relative to the workspace root.
pub const SPEC_PATH_IN_WORKSPACE: &str = "openapi/cc-gateway.yaml";

/// Reads the document at `path`.
pub fn read_spec(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

/// The workspace above `start` (itself included): the first folder that holds the
/// document at [`SPEC_PATH_IN_WORKSPACE`]. Found at run time, so tools work in any
/// checkout, whichever target folder built them.
pub fn find_workspace(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(SPEC_PATH_IN_WORKSPACE).is_file() && dir.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Reads the document of the workspace above `start`, for workspace tools and tests.
pub fn workspace_spec(start: &Path) -> Result<String, Error> {
    let root = find_workspace(start).ok_or_else(|| {
        Error::Io(format!(
            "no {SPEC_PATH_IN_WORKSPACE} above {}",
            start.display()
        ))
    })?;
    read_spec(&root.join(SPEC_PATH_IN_WORKSPACE))
}

/// Parses the YAML text of an OpenAPI 3.0 document.
pub fn parse(yaml: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_norway::from_str(yaml).map_err(|e| Error::Parse(e.to_string()))
}

/// Generates the formatted Rust source of the client from the YAML text of the document.
pub fn generate(yaml: &str) -> Result<String, Error> {
    let spec = parse(yaml)?;
    let mut generator = progenitor_impl::Generator::new(&settings::generation_settings());
    let client = generator
        .generate_tokens(&without_patterns(files_only(&spec)?))
        .map_err(|e| Error::Progenitor(e.to_string()))?;
    // Printed once for both checks: the whole client as text, in every build's build script.
    let printed = client.to_string();
    check_no_pattern_checks(&printed)?;
    let facts = operation_facts(&spec)?;
    check_hook_ids(&printed, &facts)?;
    let meanings = operations::retcode_meanings(&spec, &facts)?;
    let table = operations::table_tokens(&facts, &meanings);
    let answers = answers::answer_tokens(&answer_schemas(&spec)?);
    let mut file: syn::File = syn::parse2(quote::quote! { #client #table #answers })
        .map_err(|e| Error::Format(e.to_string()))?;
    settings::schemars_behind_feature(&mut file.items);
    lean::lean_requests(&mut file.items, facts.len())?;
    Ok(sketches_as_text(&prettyplease::unparse(&file)))
}

/// The document as progenitor is to see it: an operation that answers with a file
/// (`x-answer-body: file`) documents the JSON failure beside the file, and progenitor reads
/// one media type of an answer (it would pick the JSON and never stream the file). The
/// hand-written client tells the two apart by `Content-Type`, so progenitor gets the file
/// alone. Fails when such an answer has no file to give it.
fn files_only(spec: &openapiv3::OpenAPI) -> Result<openapiv3::OpenAPI, Error> {
    let mut spec = spec.clone();
    for (path, item) in spec.paths.paths.iter_mut() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            continue;
        };
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            if op.extensions.get("x-answer-body").and_then(|v| v.as_str()) != Some("file") {
                continue;
            }
            for response in op.responses.responses.values_mut() {
                let openapiv3::ReferenceOr::Item(response) = response else {
                    continue;
                };
                if !response.content.contains_key("application/octet-stream") {
                    return Err(Error::Shape(format!(
                        "{path}: a file answer without application/octet-stream"
                    )));
                }
                response
                    .content
                    .retain(|media, _| media == "application/octet-stream");
            }
        }
    }
    Ok(spec)
}

/// The document as typify is to see it: without the `pattern` of its string schemas. The
/// document keeps them (they tell other generators and the outside judge what an ID looks
/// like), but `ccgw`'s own ID types check them, in plain code, before any request; typify
/// would check them again with a regular-expression engine (`regress`) that every
/// consumer's cold build then compiles a second time, the generator having its own.
fn without_patterns(mut spec: openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    if let Some(components) = spec.components.as_mut() {
        for schema in components.schemas.values_mut() {
            if let openapiv3::ReferenceOr::Item(schema) = schema {
                forget_pattern(schema);
            }
        }
    }
    spec
}

/// Clears the pattern of a string schema and of the schemas it holds.
fn forget_pattern(schema: &mut openapiv3::Schema) {
    use openapiv3::{ReferenceOr, SchemaKind, Type};
    let inner = |child: &mut ReferenceOr<Box<openapiv3::Schema>>| {
        if let ReferenceOr::Item(child) = child {
            forget_pattern(child);
        }
    };
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::String(text)) => text.pattern = None,
        SchemaKind::Type(Type::Object(object)) => object.properties.values_mut().for_each(inner),
        SchemaKind::Type(Type::Array(array)) => array.items.iter_mut().for_each(inner),
        SchemaKind::OneOf { one_of: all }
        | SchemaKind::AllOf { all_of: all }
        | SchemaKind::AnyOf { any_of: all } => {
            for child in all {
                if let ReferenceOr::Item(child) = child {
                    forget_pattern(child);
                }
            }
        }
        SchemaKind::Any(any) => {
            any.pattern = None;
            any.properties.values_mut().for_each(inner);
        }
        _ => {}
    }
}

/// Fails if progenitor's output still checks a pattern (one in a place
/// [`without_patterns`] does not reach, such as an operation's own parameter schema):
/// `ccgw-api` does not depend on `regress`, and the pattern belongs in `ccgw`'s ID types.
fn check_no_pattern_checks(client: &str) -> Result<(), Error> {
    if client.contains("regress") {
        return Err(Error::Shape(
            "a pattern reached typify: check it in ccgw's ID types and clear it in without_patterns"
                .into(),
        ));
    }
    Ok(())
}

/// Fails unless progenitor's output names every operation, in what it hands the hooks,
/// exactly as the operation table does: the hand-written client finds an operation by that
/// name, and a silent mismatch once cost the event poll its time limit.
fn check_hook_ids(client: &str, facts: &[OperationFacts]) -> Result<(), Error> {
    for f in facts {
        let hook_id = operations::hook_id(&f.id);
        // The token stream prints the field as `operation_id : "name"`.
        let expected = format!("operation_id : \"{hook_id}\"");
        if client.matches(&expected).count() != 1 {
            return Err(Error::Shape(format!(
                "{}: expected progenitor to hand the hooks operation_id \"{hook_id}\" once",
                f.id
            )));
        }
    }
    Ok(())
}

/// progenitor illustrates each builder with an `ignore` doc example that names variables
/// it never defines; marking them `text` keeps them as documentation without reporting
/// ignored doctests on every test run.
fn sketches_as_text(source: &str) -> String {
    source.replace("```ignore", "```text")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: &str) -> OperationFacts {
        OperationFacts {
            id: id.to_owned(),
            method: "GET".into(),
            path: "/x".into(),
            tag: "t".into(),
            log_name: "x".into(),
            log_name_verified: true,
            state_changing: false,
            toggle: false,
            inspection: false,
            overload_budget: false,
            answer_entries: operations::AnswerEntries::Few,
            answers_file: false,
            requires_guid: true,
            retcodes: Vec::new(),
        }
    }

    #[test]
    fn generation_fails_when_progenitor_names_an_operation_otherwise() {
        let output = r#"OperationInfo { operation_id : "poll_event" , }"#;
        assert!(check_hook_ids(output, &[facts("pollEvent")]).is_ok());
        let renamed = r#"OperationInfo { operation_id : "pollEvent" , }"#;
        let e = check_hook_ids(renamed, &[facts("pollEvent")]).unwrap_err();
        assert!(matches!(e, Error::Shape(_)));
        assert!(e.to_string().contains("pollEvent"), "{e}");
    }

    #[test]
    fn patterns_are_left_to_ccgw_and_one_that_reaches_typify_fails_generation() {
        let text = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Id: {type: string, pattern: "^[0-9]+$"}
    Holder:
      type: object
      properties:
        inner: {type: string, pattern: "^a$"}
        list: {type: array, items: {type: string, pattern: "^b$"}}
"#;
        let seen = without_patterns(parse(text).unwrap());
        let left = serde_json::to_string(&seen).unwrap();
        assert!(!left.contains("pattern"), "{left}");
        assert!(check_no_pattern_checks("pub struct Id(pub String);").is_ok());
        let checked = "static PATTERN: LazyLock<::regress::Regex>";
        assert!(matches!(
            check_no_pattern_checks(checked),
            Err(Error::Shape(_))
        ));
    }

    #[test]
    fn a_file_answer_reaches_progenitor_without_its_json_failure() {
        let text = |media: &str| {
            format!(
                r#"
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /f:
    get:
      operationId: f
      x-answer-body: file
      responses:
        "200":
          description: d
          content:
            {media}:
              schema: {{type: string}}
            application/json:
              schema: {{type: object}}
"#
            )
        };
        let spec = parse(&text("application/octet-stream")).unwrap();
        let seen = files_only(&spec).unwrap();
        let op = seen.paths.paths["/f"]
            .as_item()
            .unwrap()
            .get
            .as_ref()
            .unwrap();
        let answer = op.responses.responses[&openapiv3::StatusCode::Code(200)]
            .as_item()
            .unwrap();
        assert_eq!(
            answer.content.keys().collect::<Vec<_>>(),
            ["application/octet-stream"]
        );
        let without_file = parse(&text("text/plain")).unwrap();
        assert!(matches!(files_only(&without_file), Err(Error::Shape(_))));
    }
}
