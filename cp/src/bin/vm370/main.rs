//! `vm370` — the VM/370 system: CP with its terminals, and its tools.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod cmsfs;

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
    /// CMS minidisks in CKD images: ls, get, put, format.
    Cmsfs(cmsfs::Args),
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
        Some(Command::Cmsfs(a)) => cmsfs::main(a),
    }
}

fn run(a: RunArgs) -> anyhow::Result<()> {
    let opts = cp::system::StartOptions {
        data_dir: a.data.clone(),
        deterministic: a.deterministic,
        cpus: a.cpus,
    };
    let sys = cp::system::System::start(&opts)?;
    eprintln!("vm370: system {} started from {}", sys.config.sysid, a.data.display());
    anyhow::bail!(
        "vm370: terminals are not connected yet (listen {:?}, headless {})",
        a.listen,
        a.headless
    )
}
