//! `tests` — end-to-end scenarios and the recorded-session suites.
//!
//! Helpers shared by the integration tests in `tests/tests/`: locating `../shared`, starting a
//! CP on a scratch data directory, and driving terminals. The scenarios themselves are the
//! files under `tests/tests/` and `tests/sessions/`.

/// CMS session transcripts (`tests/cms/*.cmst`): the parser and the output matcher.
pub mod transcript;

/// Running CMS session transcripts.
pub mod cmsdrv;
/// A line-mode telnet terminal (for transcripts that start before LOGON).
pub mod linedrv;
/// A plain telnet client.
pub mod nvt;
/// Driving the s3270 client.
pub mod s3270;
/// The recorded-session suite under cargo test.
pub mod sessions;
/// Starting a system for a test.
pub mod system;
