//! Listing and object-deck snapshots of the reference programs in `tests/asm/`.

use s370::asm::{Options, assemble, object};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The object deck, card by card: the exact bytes, then what they decode to.
fn deck_dump(deck: &[u8]) -> String {
    let mut s = String::new();
    for (n, c) in deck.chunks(80).enumerate() {
        s.push_str(&format!(
            "{:02} {} {}\n   {}\n",
            n + 1,
            s370::ebcdic::to_string(&c[1..4]),
            hex(&c[..40]),
            hex(&c[40..])
        ));
    }
    for r in object::parse(deck).expect("the deck parses") {
        s.push_str(&format!("{r:?}\n"));
    }
    s
}

fn snap(name: &str, src: &str) {
    let opts = Options::default().named(&format!("{name}.asm"));
    let a = assemble(src, &opts).unwrap_or_else(|e| panic!("{e}\n{}", e.listing));
    insta::assert_snapshot!(format!("{name}_listing"), a.listing);
    insta::assert_snapshot!(format!("{name}_object"), deck_dump(&a.object));
}

#[test]
fn hello() {
    snap("hello", include_str!("asm/hello.asm"));
}

#[test]
fn macros() {
    snap("macros", include_str!("asm/macros.asm"));
}

#[test]
fn records() {
    snap("records", include_str!("asm/records.asm"));
}

#[test]
fn listing_of_a_failed_assembly() {
    let src =
        "BAD      CSECT\n         L     1,NOWHERE\n         MVC   0(257,1),0(2)\n         END\n";
    let e = assemble(src, &Options::default().named("bad.asm")).expect_err("fails");
    insta::assert_snapshot!("failed_listing", e.listing);
}
