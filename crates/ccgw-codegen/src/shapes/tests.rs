//! The shape comparison on a small document of its own.

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
        mobile:
          oneOf: [{type: string}, {type: integer}]
        skills:
          type: array
          items:
            type: object
            additionalProperties: true
            properties: {id: {type: integer}}
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
            "result.phone: string not in the document",
            "result.status: number sent as text",
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
fn what_the_document_allows_without_naming_it_is_told_apart() {
    let value = serde_json::json!({"retcode": "0", "result": {
        "workno": "1001", "status": "4", "mobile": "13800001111",
        "skills": [{"id": 1, "level": 3}]}});
    let found = differences(&spec(), &answer(), &value).unwrap();
    let words: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        [
            "result.skills[].level: integer the document allows but does not name",
            "result.status: number sent as text",
        ]
    );
    assert!(found.iter().all(Difference::is_allowed));
    assert_eq!(found[0].path(), "result.skills[].level");
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
