//! Which parameters of the generated builders hold text (a `String`, or a newtype that
//! derefs to one), so that their path segments can be borrowed rather than formatted.

use std::collections::HashSet;

use syn::visit::Visit;

/// A builder's name and one of its fields.
pub(crate) type Parameter = (String, String);

/// Every builder field whose value is text.
pub(crate) fn text_parameters(items: &[syn::Item]) -> HashSet<Parameter> {
    let mut scan = Scan::default();
    for item in items {
        scan.visit_item(item);
    }
    let is_text = |ty: &str| ty == "String" || scan.text_types.contains(ty);
    scan.fields
        .iter()
        .filter(|(_, _, ty)| is_text(ty))
        .map(|(builder, field, _)| (builder.clone(), field.clone()))
        .collect()
}

#[derive(Default)]
struct Scan {
    /// Types with `impl Deref<Target = String>`.
    text_types: HashSet<String>,
    /// Builder, field and the type its `Result<T, String>` holds.
    fields: Vec<(String, String, String)>,
}

impl<'ast> Visit<'ast> for Scan {
    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let is_deref = item
            .trait_
            .as_ref()
            .is_some_and(|(path, _)| last_ident(path).as_deref() == Some("Deref"));
        let targets_string = item.items.iter().any(|member| {
            matches!(member, syn::ImplItem::Type(t)
                if t.ident == "Target" && type_name(&t.ty).as_deref() == Some("String"))
        });
        if is_deref
            && targets_string
            && let Some(name) = type_name(&item.self_ty)
        {
            self.text_types.insert(name);
        }
        syn::visit::visit_item_impl(self, item);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        for field in &item.fields {
            if let Some(name) = &field.ident
                && let Some(held) = result_ok_type(&field.ty)
            {
                self.fields
                    .push((item.ident.to_string(), name.to_string(), held));
            }
        }
    }
}

/// The last name of a path type: `AgentId` for `types::AgentId`.
pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => last_ident(&p.path),
        _ => None,
    }
}

fn last_ident(path: &syn::Path) -> Option<String> {
    path.segments.last().map(|s| s.ident.to_string())
}

/// `T` of a `Result<T, _>` field.
fn result_ok_type(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(held) => type_name(held),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_string_newtypes_are_text_and_numbers_are_not() {
        let file: syn::File = syn::parse_str(
            r#"
            pub struct AgentId(String);
            impl ::std::ops::Deref for AgentId { type Target = ::std::string::String; }
            pub struct Wrapped(Vec<u8>);
            impl ::std::ops::Deref for Wrapped { type Target = Vec<u8>; }
            pub struct Send<'a> {
                agentid: Result<types::AgentId, String>,
                guid: Result<::std::string::String, String>,
                skillid: Result<i32, String>,
                data: Result<types::Wrapped, String>,
            }"#,
        )
        .unwrap();
        let text = text_parameters(&file.items);
        let has = |f: &str| text.contains(&("Send".to_owned(), f.to_owned()));
        assert!(has("agentid") && has("guid"));
        assert!(!has("skillid") && !has("data"));
    }
}
