//! LOGON and LOGOFF: building a user's virtual machine from its directory entry, and taking
//! it down again.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

use s370::devices::ckd::Dasd;
use s370::devices::{Printer, Punch};

use super::{Settings, TerminalSettings, User, UserState};
use crate::backend::Backend;
use crate::backend::s370::S370Backend;
use crate::clock::{cpu_mss, duration_hms};
use crate::directory::{Access, IplTarget, Machine, SpoolKind, UserEntry};
use crate::dispatch::Wake;
use crate::system::{LinkRecord, System};
use crate::vdev::{
    ConsoleDevice, ConsoleLink, DasdLink, Kind, SpoolOptions, SpoolReader, TermSink,
};
use crate::vm::Vm;

/// Why a LOGON was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogonError {
    /// Unknown user or wrong password: the same answer for both, so nobody learns which
    /// userids exist.
    #[error("DMKLOG050E PASSWORD INCORRECT - REENTER LOGON")]
    Refused,
    /// The entry cannot log on (`NOLOG`).
    #[error("DMKLOG053E {0} NOT IN CP DIRECTORY")]
    NoLog(String),
    /// The user is logged on at another terminal.
    #[error("DMKLOG054E ALREADY LOGGED ON {0}")]
    AlreadyLoggedOn(String),
    /// The system is shutting down.
    #[error("DMKLOG059E LOGON REJECTED; SYSTEM SHUTTING DOWN")]
    ShuttingDown,
    /// The virtual machine could not be built.
    #[error("DMKLOG060E {0}")]
    Machine(String),
}

/// The backend for a user's machine type and storage size. An S/370 machine also gets room
/// for the saved segments that load above its storage (CMSSEG at 15M in a 15M machine), as a
/// VM/370 virtual machine addresses shared segments beyond its own size.
pub fn make_backend(
    sys: &System,
    machine: Machine,
    storage: u32,
) -> Result<Box<dyn Backend>, String> {
    match machine {
        Machine::S370 => {
            let top = sys
                .saved
                .iter()
                .filter(|((_, m), s)| *m == machine && !s.ipl)
                .map(|(_, s)| s.end() + 1)
                .max()
                .unwrap_or(0);
            let mut b = S370Backend::new(storage.max(top) as usize);
            crate::user::run::configure_time(sys, &mut b);
            Ok(Box::new(b))
        }
        // Without KVM the machine is still built (CP commands, spool, disks work); IPL says
        // why it cannot run.
        Machine::X86 => crate::backend::x86::X86Backend::new(u64::from(storage))
            .map(|b| Box::new(b) as Box<dyn Backend>)
            .map_err(|e| format!("X86 MACHINE NOT CREATED: {e}")),
    }
}

fn spool_devices(sys: &System, entry: &UserEntry, vm: &mut Vm) {
    for s in &entry.spool {
        let addr = s.vaddr.0;
        let class = s.class.map_or('A', |c| c.as_char());
        match s.kind {
            SpoolKind::Reader => {
                let mut o = SpoolOptions::reader();
                if let Some(c) = s.class {
                    o.class = c.as_char();
                }
                let opts = Arc::new(Mutex::new(o));
                let r = SpoolReader::new(Arc::clone(&sys.spool), &entry.userid, Arc::clone(&opts));
                vm.attach(addr, Box::new(r), Kind::Reader(opts));
            }
            SpoolKind::Punch => {
                let p = Punch::new();
                let out = p.output();
                vm.attach(addr, Box::new(p), Kind::Punch(out, SpoolOptions::output(class)));
            }
            SpoolKind::Printer => {
                let p = Printer::new();
                let out = p.output();
                vm.attach(addr, Box::new(p), Kind::Printer(out, SpoolOptions::output(class)));
            }
        }
    }
}

/// Attaches a minidisk view to `vm`; returns the message CP gives when the access had to be
/// reduced, or an error text when the volume or extent is missing.
pub(crate) fn attach_minidisk(
    sys: &System,
    vm: &mut Vm,
    user: &str,
    vaddr: u16,
    owner: &str,
    mdisk: &crate::directory::Mdisk,
    write: bool,
) -> Result<(), String> {
    let vol = sys
        .volumes
        .get(&mdisk.volser)
        .ok_or_else(|| format!("VOLID {} NOT MOUNTED", mdisk.volser))?;
    let dasd =
        Dasd::view(Arc::clone(vol), u32::from(mdisk.start), u32::from(mdisk.cylinders), !write)
            .map_err(|e| e.to_string())?;
    let link = DasdLink {
        owner: owner.to_string(),
        owner_addr: mdisk.vaddr.0,
        volser: mdisk.volser.clone(),
        start: u32::from(mdisk.start),
        cylinders: u32::from(mdisk.cylinders),
        write,
        devtype: mdisk.devtype.number(),
        temporary: false,
    };
    vm.attach(vaddr, Box::new(dasd), Kind::Dasd(link));
    sys.links.lock().unwrap_or_else(|p| p.into_inner()).push(LinkRecord {
        user: user.to_string(),
        vaddr,
        owner: owner.to_string(),
        owner_addr: mdisk.vaddr.0,
        write,
    });
    Ok(())
}

/// Does any other user hold a read/write link to `owner`'s `owner_addr`?
pub(crate) fn writers(sys: &System, owner: &str, owner_addr: u16, except: &str) -> Vec<String> {
    sys.links
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|l| l.owner == owner && l.owner_addr == owner_addr && l.write && l.user != except)
        .map(|l| l.user.clone())
        .collect()
}

fn disks(sys: &System, entry: &UserEntry, vm: &mut Vm, msgs: &mut Vec<String>) {
    for m in &entry.mdisks {
        let wants_write = m.mode.access.wants_write();
        let busy = !writers(sys, &entry.userid, m.vaddr.0, &entry.userid).is_empty();
        let write = wants_write && (!busy || matches!(m.mode.access, Access::MW));
        if wants_write && !write {
            msgs.push(format!(
                "DMKLNK101W DASD {:03X} FORCED R/O; R/W BY {}",
                m.vaddr.0,
                writers(sys, &entry.userid, m.vaddr.0, &entry.userid).join(" ")
            ));
        }
        if let Err(e) = attach_minidisk(sys, vm, &entry.userid, m.vaddr.0, &entry.userid, m, write)
        {
            msgs.push(format!("DMKLNK108E {} {:03X} NOT LINKED; {e}", entry.userid, m.vaddr.0));
        }
    }
    let dir = sys.directory.read().unwrap_or_else(|p| p.into_inner());
    for l in &entry.links {
        let Some(owner) = dir.user(&l.userid) else {
            msgs.push(format!(
                "DMKLNK107E {} {:03X} NOT LINKED; NOT IN CP DIRECTORY",
                l.userid, l.vaddr.0
            ));
            continue;
        };
        let Some(m) = owner.mdisk(l.vaddr) else {
            msgs.push(format!(
                "DMKLNK109E {} {:03X} NOT LINKED; NO DASD {:03X}",
                l.userid, l.vaddr.0, l.vaddr.0
            ));
            continue;
        };
        let write = l.mode.access.wants_write()
            && writers(sys, &l.userid, l.vaddr.0, &entry.userid).is_empty();
        if let Err(e) = attach_minidisk(sys, vm, &entry.userid, l.as_vaddr.0, &l.userid, m, write) {
            msgs.push(format!("DMKLNK108E {} {:03X} NOT LINKED; {e}", l.userid, l.vaddr.0));
        }
    }
}

impl User {
    /// Logs `userid` on with `password`, attached to `terminal` (`None` for AUTOLOG): builds
    /// the machine, shows the log message and `LOGON AT ...`, and IPLs what the directory
    /// says.
    pub fn logon(
        sys: &Arc<System>,
        userid: &str,
        password: &str,
        terminal: Option<Arc<dyn TermSink>>,
    ) -> Result<Arc<User>, LogonError> {
        if sys.shutting_down() {
            return Err(LogonError::ShuttingDown);
        }
        let userid = userid.to_ascii_uppercase();
        let entry = {
            let dir = sys.directory.read().unwrap_or_else(|p| p.into_inner());
            dir.user(&userid).cloned()
        };
        let Some(entry) = entry else { return Err(LogonError::Refused) };
        if !entry.can_log_on() {
            return Err(LogonError::NoLog(userid));
        }
        if !entry.password_matches(password) {
            return Err(LogonError::Refused);
        }
        if sys.user(&userid).is_some() {
            return Err(LogonError::AlreadyLoggedOn(userid));
        }
        let backend =
            make_backend(sys, entry.machine, entry.storage.0).map_err(LogonError::Machine)?;
        let console = ConsoleLink::default();
        console.attach(terminal);
        let kicker = backend.kicker();
        let mut vm = Vm::new(backend);
        let console_addr = entry.console.as_ref().map_or(0x009, |c| c.vaddr.0);
        vm.attach(
            console_addr,
            Box::new(ConsoleDevice::new(console.clone())),
            Kind::Console(console.clone()),
        );
        spool_devices(sys, &entry, &mut vm);
        let mut msgs = Vec::new();
        disks(sys, &entry, &mut vm, &mut msgs);
        let mut settings = Settings::default();
        settings.ecmode = entry.options.ecmode;
        let terminal = TerminalSettings::from_entry(&entry);
        let now = sys.now();
        let state = UserState {
            storage: entry.storage.0,
            entry,
            vm,
            console_addr,
            cp_mode: true,
            cp_once: false,
            settings,
            terminal,
            logon_secs: now,
            virt_ns: 0,
            total_ns: 0,
            disconnected_at: None,
            link_failures: 0,
            ipl_name: None,
            adstop: None,
            ipl_parm: None,
            segments: Vec::new(),
            deferred: None,
            prompt: None,
            cmd: Default::default(),
            held_diag: None,
            full_screen_read: None,
            fs_inbound: None,
        };
        let user = Arc::new(User {
            userid: userid.clone(),
            console: console.clone(),
            state: Mutex::new(state),
            kicker: Mutex::new(kicker),
            vm_id: OnceLock::new(),
            logged_off: Default::default(),
            lock_waiters: Default::default(),
            term_name: Mutex::new(None),
            sys: Arc::downgrade(sys),
        });
        if !sys.add_user(Arc::clone(&user)) {
            user.release_links(sys);
            return Err(LogonError::AlreadyLoggedOn(userid));
        }
        let id = sys.dispatcher.add(user.clone());
        let _ = user.vm_id.set(id);
        sys.dispatcher.set_priority(id, user.lock().entry.priority);
        console.set_cp_mode(true);
        for l in sys.logmsg.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            console.write(l);
        }
        for m in &msgs {
            console.write(m);
        }
        console.write(&format!("LOGON AT {}", sys.zone.stamp(now)));
        let ipl = user.lock().entry.ipl.clone();
        if let Some(ipl) = ipl {
            let target = match &ipl.target {
                IplTarget::Device(a) => format!("{:03X}", a.0),
                IplTarget::System(n) => n.clone(),
            };
            let mut line = format!("IPL {target}");
            if let Some(p) = &ipl.parm {
                line.push_str(" PARM ");
                line.push_str(p);
            }
            crate::command::run_line(sys, &user, &line);
        }
        Ok(user)
    }

    fn release_links(&self, sys: &System) {
        sys.links.lock().unwrap_or_else(|p| p.into_inner()).retain(|l| l.user != self.userid);
    }

    /// The accounting line `CONNECT= hh:mm:ss VIRTCPU= mmm:ss.hh TOTCPU= mmm:ss.hh`.
    pub fn accounting_line(&self, sys: &System) -> String {
        let st = self.lock();
        let connect = sys.now().saturating_sub(st.logon_secs).max(0) as u64;
        format!(
            "CONNECT= {} VIRTCPU= {} TOTCPU= {}",
            duration_hms(connect),
            cpu_mss(st.virt_ns / 1000),
            cpu_mss(st.total_ns / 1000)
        )
    }

    /// Logs the user off: closes its spool files, drops its links, shows the accounting line
    /// and `LOGOFF AT ...` (or the FORCE variant), and removes its machine from the system.
    pub fn logoff(self: &Arc<Self>, sys: &System, forced: bool) {
        if self.logged_off.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(id) = self.vm_id() {
            sys.dispatcher.remove(id);
        }
        self.kick();
        crate::command::spool::close_all(sys, self);
        crate::command::logoff_cleanup(self);
        let acct = self.accounting_line(sys);
        let show_acct = self.lock().settings.acnt;
        if show_acct {
            self.console.write(&acct);
        }
        // A forced logoff looks the same to the user as a LOGOFF (the operator's console is
        // told it was forced).
        let _ = forced;
        self.console.write(&format!("LOGOFF AT {}", sys.zone.stamp(sys.now())));
        self.release_links(sys);
        sys.remove_user(&self.userid);
        self.console.set_cp_mode(true);
        self.console.ended();
        self.wake(Wake::Other);
    }
}
