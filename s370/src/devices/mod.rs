//! Device models attached to channels: DASD (CKD images), unit record, consoles.
//! Being built (issues 2 and 4).
