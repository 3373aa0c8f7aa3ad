//! INDICATE: the use of and contention for the system's resources (CP Command Reference,
//! INDICATE).
//!
//! `INDICATE LOAD` gives R6's line (`CPU-nnn%  APU-nnn%  Q1-nn  Q2-nn  STORAGE-nnn%
//! RATIO-n.n`) from the dispatcher: processor use since the system started, over all real
//! processors; the machines in Q1 and Q2; the storage of the queued machines as a share of
//! all logged-on machines' storage; RATIO is 1.0, as this CP never holds a machine back for
//! lack of storage. `INDICATE USER` gives R6's two lines for the user, then a third that R6
//! did not have: the instructions the machine executed and the exits to CP they took — the
//! efficiency property (most instructions run without CP) made visible. An x86 machine's
//! instructions are not countable under KVM; its line names the machine type and gives the
//! exits by kind (`MACHINE=X86 INTERCEPTS=... (DIAG=n SIO=n WAIT=n EXIT IO-OUT=n ...)`).

use crate::command::Ctx;
use crate::command::table::abbreviates;
use crate::command::tokens::Tokens;
use crate::user::UserState;

/// `mmm:ss` of processor time.
fn mmm_ss(ns: u64) -> String {
    let s = ns / 1_000_000_000;
    format!("{:03}:{:02}", s / 60, s % 60)
}

/// `INDICATE [LOAD|USER]`.
pub fn indicate(ctx: &mut Ctx<'_>, st: &mut UserState, t: &mut Tokens<'_>) {
    match t.next_upper() {
        None => load(ctx, st),
        Some(w) if abbreviates(&w, "LOAD", 1) => load(ctx, st),
        Some(w) if abbreviates(&w, "USER", 1) => user(ctx, st),
        Some(w) => ctx.error(st, "DMKCPI003E", format!("INVALID OPTION - {w}")),
    }
}

fn load(ctx: &mut Ctx<'_>, st: &UserState) {
    let d = &ctx.sys.dispatcher;
    let wall = ctx.sys.started.elapsed().as_nanos().max(1);
    let cpu = (u128::from(d.total_ns()) * 100 / (wall * d.workers().max(1) as u128)).min(100);
    let (q1, q2) = d.queue_lengths();
    let (mut queued, mut total) = (0u64, 0u64);
    for u in ctx.sys.users() {
        let Some(id) = u.vm_id() else { continue };
        let size = if u.userid == ctx.user.userid {
            u64::from(st.storage)
        } else {
            u64::from(u.try_storage().unwrap_or(0))
        };
        total += size;
        if d.stats(id).is_some_and(|s| s.runnable) {
            queued += size;
        }
    }
    let storage = (queued * 100).checked_div(total).unwrap_or(0);
    ctx.say(format!(
        "CPU-{cpu:03}%  APU-000%  Q1-{q1:02}  Q2-{q2:02}  STORAGE-{storage:03}%  RATIO-1.0"
    ));
}

fn user(ctx: &mut Ctx<'_>, st: &mut UserState) {
    let pages = u64::from(st.storage) / 4096;
    ctx.say(format!(
        "PAGES: RES-{pages:04} WS-{pages:04} READS=000000 WRITES=000000 DISK-0000 DRUM-0000"
    ));
    let c = st.vm.backend.counters();
    let count = |k: &str| {
        c.interceptions.iter().filter(|(n, _)| n.starts_with(k)).map(|(_, v)| v).sum::<u64>()
    };
    let sio = count("SIO");
    let rdr: u64 = st
        .vm
        .devices
        .values()
        .filter_map(|d| match &d.kind {
            crate::vdev::Kind::Reader(o) => Some(o.lock().map_or(0, |o| o.records)),
            _ => None,
        })
        .sum();
    let [_, prt, pch] = st.cmd.ur_counts;
    ctx.say(format!(
        "VTIME={} TTIME={} SIO={sio:06} RDR-{rdr:06} PRT-{prt:06} PCH-{pch:06}",
        mmm_ss(st.virt_ns),
        mmm_ss(st.total_ns)
    ));
    let total = c.total_interceptions();
    let kinds: Vec<String> = c.interceptions.iter().map(|(k, v)| format!("{k}={v}")).collect();
    match c.instructions {
        Some(n) => {
            let per = n.checked_div(total).unwrap_or(n);
            ctx.say(format!(
                "INSTR={n:010} INTERCEPTS={total:08} INSTR/INTERCEPT={per} ({})",
                kinds.join(" ")
            ));
        }
        // Under KVM the guest's instructions cannot be counted: the machine type, then the
        // exits to CP by kind.
        None => ctx.say(format!(
            "MACHINE={} INTERCEPTS={total:08} ({})",
            st.entry.machine,
            kinds.join(" ")
        )),
    }
}
