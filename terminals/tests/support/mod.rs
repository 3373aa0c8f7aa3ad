//! Shared helpers of the integration tests.
#![allow(dead_code)]

pub mod driver;
pub mod echo_cp;
pub mod s3270;
