//! The channel-program engine: CAW, CCWs, chaining, CSW, and the `Device` trait.
//! Being built (issue 2).
