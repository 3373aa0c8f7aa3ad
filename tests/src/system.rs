//! Starting a whole system for a test: a scratch data directory (the default system, IBM's
//! R6 example, or given files), CP, and a TN3270 listener on an ephemeral loopback port.

use std::path::PathBuf;
use std::sync::Arc;

use cp::system::{StartOptions, System};
use terminals::server::TerminalServer;

/// A system running for a test; dropping it shuts the listener down.
#[derive(Debug)]
pub struct TestSystem {
    /// The system.
    pub sys: Arc<System>,
    /// The listener.
    pub server: Arc<TerminalServer>,
    /// The TN3270 address (`127.0.0.1:port`).
    pub addr: String,
    /// The data directory (removed when the test ends).
    pub dir: tempfile::TempDir,
}

impl TestSystem {
    /// Starts a system on a fresh data directory holding `files` (file name, contents); no
    /// files means the default system.
    pub fn start(files: &[(&str, &str)], deterministic: bool) -> TestSystem {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("writing a config file");
        }
        let sys = System::start(&StartOptions {
            data_dir: dir.path().to_path_buf(),
            deterministic,
            cpus: None,
        })
        .expect("the system starts");
        let (server, _t) = cp::session::listen(&sys, "127.0.0.1:0").expect("listening on loopback");
        let addr = server.local_addr().to_string();
        TestSystem { sys, server, addr, dir }
    }
}

impl Drop for TestSystem {
    fn drop(&mut self) {
        self.sys.begin_shutdown();
    }
}

/// `../shared` beside the workspace, if present.
pub fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    p.join("data/vm370r6/CMS.segment").exists().then_some(p)
}
