//! Changes to progenitor's request path, made after generation because progenitor
//! 0.15.1 has no setting for any of them:
//!
//! * each operation's URL is built from the base URL parsed once, with the path pushed as
//!   percent-encoded segments, instead of formatting the whole URL as text that reqwest
//!   then parses again (scheme, host, IDNA, path) on every request, and a path parameter
//!   that holds text is borrowed as its segment instead of being formatted into a new
//!   string;
//! * the `api-version` header, which the gateway does not define, is no longer added.
//!
//! Each is kept because it pays or is needed; BENCHMARKS.md has what each is worth. A
//! third, header names made once as constants, was measured worth nothing and removed.
//!
//! Generation fails, naming the operation and the shape expected, when a request's URL is
//! not built the way progenitor 0.15.1 builds it (`let url = format!("{}/..",
//! client.baseurl, encode_path(..))`) or its path has a parameter inside a segment: a
//! progenitor upgrade must not quietly undo these changes.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::quote;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt, Token};

use crate::error::Error;
use crate::text_params::{Parameter, text_parameters, type_name};

/// Applies the changes to every generated request; `operations` requests must have had
/// their URL rewritten.
pub(crate) fn lean_requests(items: &mut [syn::Item], operations: usize) -> Result<(), Error> {
    let mut lean = Lean {
        text: text_parameters(items),
        builder: String::new(),
        rewritten: Vec::new(),
        unfit: Vec::new(),
    };
    for item in items {
        lean.visit_item_mut(item);
    }
    if let Some(builder) = lean.unfit.first() {
        return Err(Error::Shape(format!(
            "the request of builder {builder} builds its URL otherwise than \
             `let url = format!(\"{{}}/..\", client.baseurl, encode_path(..))` with whole-segment \
             parameters: update ccgw-codegen's lean.rs"
        )));
    }
    if lean.rewritten.len() != operations {
        return Err(Error::Shape(format!(
            "{} of {operations} requests had their URL built from segments ({}); progenitor \
             no longer builds `let url = format!(..)` in each request: update lean.rs",
            lean.rewritten.len(),
            lean.rewritten.join(", ")
        )));
    }
    Ok(())
}

struct Lean {
    text: HashSet<Parameter>,
    /// The builder whose methods are being visited.
    builder: String,
    /// The builders whose URL was rewritten.
    rewritten: Vec<String>,
    /// The builders with a `let url` this pass could not rewrite.
    unfit: Vec<String>,
}

impl VisitMut for Lean {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let outer = std::mem::replace(
            &mut self.builder,
            type_name(&item.self_ty).unwrap_or_default(),
        );
        syn::visit_mut::visit_item_impl_mut(self, item);
        self.builder = outer;
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.retain(|stmt| !adds_api_version(stmt));
        if !block.stmts.iter().any(appends_header) {
            // With `api-version` gone, a request without headers of its own keeps an
            // empty map that nothing changes: it need not be mutable.
            block.stmts.iter_mut().for_each(header_map_immutable);
        }
        for stmt in &mut block.stmts {
            if let Stmt::Local(local) = stmt
                && is_ident_pattern(&local.pat, "url")
                && let Some(init) = &mut local.init
            {
                match url_from_segments(&init.expr, |p| self.borrowed(p)) {
                    Some(built) => {
                        *init.expr = syn::parse2(built).expect("the URL expression parses");
                        self.rewritten.push(self.builder.clone());
                    }
                    None => self.unfit.push(self.builder.clone()),
                }
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

impl Lean {
    /// `x.as_str()` for `&x.to_string()` when `x` holds text.
    fn borrowed(&self, parameter: Expr) -> Expr {
        if let Expr::Reference(r) = &parameter
            && let Expr::MethodCall(call) = &*r.expr
            && call.method == "to_string"
            && call.args.is_empty()
            && let Expr::Path(receiver) = &*call.receiver
            && let Some(name) = receiver.path.get_ident()
            && self
                .text
                .contains(&(self.builder.clone(), name.to_string()))
        {
            return syn::parse_quote!(#name.as_str());
        }
        parameter
    }
}

fn is_ident_pattern(pat: &syn::Pat, name: &str) -> bool {
    matches!(pat, syn::Pat::Ident(p) if p.ident == name)
}

/// `header_map.append(HeaderName::from_static("api-version"), ..);`
fn adds_api_version(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call
            .args
            .first()
            .is_some_and(|name| quote!(#name).to_string().contains("\"api-version\""))
}

/// `header_map.append(..);`
fn appends_header(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::MethodCall(call), _) if call.method == "append"
        && quote!(#call).to_string().starts_with("header_map"))
}

/// `let mut header_map = ..;` becomes `let header_map = ..;`.
fn header_map_immutable(stmt: &mut Stmt) {
    if let Stmt::Local(local) = stmt
        && let syn::Pat::Ident(pat) = &mut local.pat
        && pat.ident == "header_map"
    {
        pat.mutability = None;
    }
}

/// One piece of an operation's path.
enum Segment {
    Text(String),
    Parameter(Expr),
}

/// `format!("{}/a/{}/b", client.baseurl, encode_path(&x.to_string()))` becomes
/// `client.operation_url(&["a", &x.to_string(), "b"]).map_err(Error::InvalidRequest)?`.
fn url_from_segments(init: &Expr, borrow: impl Fn(Expr) -> Expr) -> Option<TokenStream> {
    let Expr::Macro(mac) = init else { return None };
    if !mac.mac.path.is_ident("format") {
        return None;
    }
    let args = mac
        .mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    let mut args = args.into_iter();
    let Some(Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    })) = args.next()
    else {
        return None;
    };
    let base = args.next()?;
    if quote!(#base).to_string().replace(' ', "") != "client.baseurl" {
        return None;
    }
    let template = template.value();
    let texts: Vec<&str> = template.split("{}").collect();
    let parameters: Vec<Expr> = args
        .map(|arg| encoded_value(arg).map(&borrow))
        .collect::<Option<_>>()?;
    if texts.first() != Some(&"") || texts.len() != parameters.len() + 2 {
        return None;
    }
    let segments = segments(&texts[1..], parameters)?;
    let items = segments.iter().map(|segment| match segment {
        Segment::Text(text) => quote!(#text),
        Segment::Parameter(value) => quote!(#value),
    });
    Some(quote! {
        client.operation_url(&[#(#items),*]).map_err(Error::InvalidRequest)?
    })
}

/// The value inside `encode_path(value)`.
fn encoded_value(arg: Expr) -> Option<Expr> {
    let Expr::Call(call) = arg else { return None };
    let Expr::Path(function) = &*call.func else {
        return None;
    };
    if !function.path.is_ident("encode_path") || call.args.len() != 1 {
        return None;
    }
    call.args.into_iter().next()
}

/// Interleaves the template's texts with its parameters as whole segments; `None` when a
/// parameter shares a segment with text.
fn segments(texts: &[&str], parameters: Vec<Expr>) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut parameters = parameters.into_iter();
    for (i, text) in texts.iter().enumerate() {
        let last = i + 1 == texts.len();
        let starts_clean = text.starts_with('/') || (text.is_empty() && last);
        let ends_clean = last || text.ends_with('/');
        if !starts_clean || !ends_clean {
            return None;
        }
        segments.extend(
            text.split('/')
                .filter(|s| !s.is_empty())
                .map(|s| Segment::Text(s.to_owned())),
        );
        if !last {
            segments.push(Segment::Parameter(parameters.next()?));
        }
    }
    Some(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source after the pass, which must have rewritten `operations` URLs.
    fn rewrite_counted(source: &str, operations: usize) -> Result<String, Error> {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        lean_requests(&mut file.items, operations)?;
        // Without white space, so that line breaks do not matter.
        Ok(prettyplease::unparse(&file).split_whitespace().collect())
    }

    fn rewrite(source: &str) -> String {
        rewrite_counted(source, 1).unwrap()
    }

    #[test]
    fn whole_segment_parameters_become_a_segment_list() {
        let out = rewrite(
            r#"fn f() { let url = format!("{}/a/b/{}/switch/{}", client.baseurl,
                encode_path(&x.to_string()), encode_path(&y.to_string())); }"#,
        );
        assert!(
            out.contains(
                r#"client.operation_url(&["a","b",&x.to_string(),"switch",&y.to_string()])"#
            ),
            "{out}"
        );
        assert!(out.contains("map_err(Error::InvalidRequest)?"), "{out}");
    }

    #[test]
    fn text_parameters_are_borrowed_and_others_formatted() {
        let out = rewrite(
            r#"
            pub struct AgentId(String);
            impl ::std::ops::Deref for AgentId { type Target = ::std::string::String; }
            pub struct Rest<'a> { agentid: Result<types::AgentId, String>, reason: Result<i32, String> }
            impl<'a> Rest<'a> {
                fn send(self) {
                    let url = format!("{}/a/{}/{}", client.baseurl,
                        encode_path(&agentid.to_string()), encode_path(&reason.to_string()));
                }
            }"#,
        );
        assert!(
            out.contains(r#"operation_url(&["a",agentid.as_str(),&reason.to_string()])"#),
            "{out}"
        );
    }

    #[test]
    fn a_url_the_pass_cannot_rewrite_fails_generation_and_names_its_request() {
        for source in [
            r#"impl Listen { fn f() { let url = format!("{}/a/{}.json", client.baseurl, encode_path(&x.to_string())); } }"#,
            r#"impl Listen { fn f() { let url = format!("{}/a/v{}", client.baseurl, encode_path(&x.to_string())); } }"#,
            r#"impl Listen { fn f() { let url = client.join(&x); } }"#,
        ] {
            let e = rewrite_counted(source, 1).unwrap_err().to_string();
            assert!(e.contains("builder Listen"), "{e}");
        }
    }

    #[test]
    fn generation_fails_when_fewer_requests_than_operations_were_rewritten() {
        let source = r#"fn f() { let url = format!("{}/a/b", client.baseurl); }"#;
        let e = rewrite_counted(source, 2).unwrap_err().to_string();
        assert!(e.contains("1 of 2 requests"), "{e}");
    }

    #[test]
    fn a_path_without_parameters_is_split_too() {
        let out = rewrite(r#"fn f() { let url = format!("{}/a/b", client.baseurl); }"#);
        assert!(out.contains(r#"operation_url(&["a","b"])"#), "{out}");
    }

    #[test]
    fn the_api_version_header_is_left_out_and_others_kept() {
        let out = rewrite_counted(
            r#"fn f() {
                header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(v()));
                header_map.append("Guid", guid.to_string().try_into()?);
            }"#,
            0,
        )
        .unwrap();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains(r#"header_map.append("Guid","#), "{out}");
    }
}
