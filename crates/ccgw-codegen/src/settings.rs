//! The progenitor settings: see the crate docs for the reasons behind each.

use progenitor_impl::{GenerationSettings, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

pub(crate) fn generation_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote! { crate::hooks::Hooks })
        .with_hooks(HooksMode::Expected)
        .with_derive("schemars::JsonSchema");
    settings
}

/// Moves the `schemars::JsonSchema` derive of every generated type behind the
/// `schemars` feature of the crate that includes the code.
pub(crate) fn schemars_behind_feature(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Struct(s) => gate_derive(&mut s.attrs),
            syn::Item::Enum(e) => gate_derive(&mut e.attrs),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    schemars_behind_feature(inner);
                }
            }
            _ => {}
        }
    }
}

fn gate_derive(attrs: &mut Vec<syn::Attribute>) {
    use syn::punctuated::Punctuated;
    let mut gated = false;
    for attr in attrs.iter_mut() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let is_schemars = |p: &syn::Path| p.segments.iter().any(|s| s.ident == "schemars");
        if paths.iter().any(is_schemars) {
            let kept: Vec<&syn::Path> = paths.iter().filter(|p| !is_schemars(p)).collect();
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            gated = true;
        }
    }
    if gated {
        attrs.push(syn::parse_quote!(
            #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        ));
    }
}
