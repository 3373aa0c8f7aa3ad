//! The assembler: IBM assembler language (the OS/VS IFOX00 dialect) to flat images, object
//! decks and listings. Being built (issue 3).
