//! `cms::fs::ebcdic` is a copy of `s370::ebcdic`'s code page 037 (so that `cms::fs` needs no
//! `std` crate); the two must never drift apart.

#[test]
fn the_cp037_copy_matches_s370() {
    assert_eq!(cms::fs::ebcdic::CP037_TO_LATIN1, s370::ebcdic::CP037_TO_LATIN1);
    assert_eq!(cms::fs::ebcdic::LATIN1_TO_CP037, s370::ebcdic::LATIN1_TO_CP037);
    let s = "PROFILE EXEC A1 &TYPE HELLO, WORLD! $#@+-:_";
    assert_eq!(cms::fs::ebcdic::encode(s), s370::ebcdic::from_str(s));
}
