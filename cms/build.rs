//! Builds the two CMS images the `cms` crate embeds: the S/370 nucleus, assembled from
//! `s370/` with the project's own assembler (`build/s370.rs`), and the x86
//! monitor, compiled from `x86/` with the same `rustc` (`build/x86.rs`).

#[path = "build/s370.rs"]
mod s370_image;
#[path = "build/x86.rs"]
mod x86_image;

fn main() {
    s370_image::build();
    x86_image::build();
}
