//! `vm370` — the VM/370 system: CP with its terminals, and its tools.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod cmsfs;
mod record;
mod replay;

/// VM/370: a Control Program multiplexing virtual machines, reached from 3270 terminals.
#[derive(Debug, Parser)]
#[command(name = "vm370", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start CP (the default when no command is given).
    Run(RunArgs),
    /// The 3270 terminal UI on its own, connected to a running system.
    Terminal(TerminalArgs),
    /// CMS minidisks in CKD images: ls, get, put, format.
    Cmsfs(cmsfs::Args),
    /// Record terminal sessions through a TN3270 proxy into a session file.
    Record(record::Args),
    /// Replay session files on a fresh deterministic system and compare every screen.
    Replay(replay::Args),
}

/// Options of `vm370 terminal`.
#[derive(Debug, clap::Args)]
struct TerminalArgs {
    /// Where the system listens.
    #[arg(default_value = "127.0.0.1:3270")]
    addr: String,
    /// 3270 model (2-5).
    #[arg(long, default_value_t = 2)]
    model: u8,
}

/// Options of `vm370 run`.
#[derive(Debug, clap::Args, Default)]
struct RunArgs {
    /// The data directory (created with the default system on first run).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Run without the terminal UI (for servers and tests).
    #[arg(long)]
    headless: bool,
    /// TN3270 listen address (overrides the configuration's LISTEN TN3270).
    #[arg(long)]
    listen: Option<String>,
    /// Real processors (dispatcher workers); default: the configuration's CPUS.
    #[arg(long)]
    cpus: Option<usize>,
    /// Deterministic mode: a virtual clock from a fixed date, one worker.
    #[arg(long)]
    deterministic: bool,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => run(RunArgs { data: PathBuf::from("data"), ..RunArgs::default() }),
        Some(Command::Run(a)) => run(a),
        Some(Command::Terminal(a)) => terminals::tui::run_client(&a.addr, a.model)
            .map_err(|e| anyhow::anyhow!("vm370 terminal: {e}")),
        Some(Command::Cmsfs(a)) => cmsfs::main(a),
        Some(Command::Record(a)) => record::main(a),
        Some(Command::Replay(a)) => replay::main(a),
    }
}

fn run(a: RunArgs) -> anyhow::Result<()> {
    let opts = cp::system::StartOptions {
        data_dir: a.data.clone(),
        deterministic: a.deterministic,
        cpus: a.cpus,
    };
    let sys = cp::system::System::start(&opts)?;
    let mut addrs: Vec<String> = match &a.listen {
        Some(l) => vec![l.clone()],
        None => sys.config.listeners.iter().map(|l| l.address.to_string()).collect(),
    };
    if addrs.is_empty() {
        addrs.push("127.0.0.1:3270".into());
    }
    let mut servers = Vec::new();
    for addr in &addrs {
        let (server, _thread) = cp::session::listen(&sys, addr)
            .map_err(|e| anyhow::anyhow!("vm370: cannot listen on {addr}: {e}"))?;
        eprintln!("vm370: {} listening on {}", sys.config.sysid, server.local_addr());
        servers.push(server);
    }
    if a.headless {
        // Run until SHUTDOWN has forced everyone off and closed their spool files.
        sys.wait_for_shutdown();
        return Ok(());
    }
    let first = servers[0].local_addr().to_string();
    let ui = terminals::tui::run_client(&first, 2);
    sys.begin_shutdown();
    ui.map_err(|e| anyhow::anyhow!("vm370: terminal: {e}"))
}
