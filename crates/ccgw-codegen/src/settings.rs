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
