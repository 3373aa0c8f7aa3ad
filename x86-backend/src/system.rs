//! `/dev/kvm` itself: is it there, may we use it, and what kind of virtualization is behind it.

use std::io;
use std::path::Path;

use kvm_bindings::{CpuId, KVM_MAX_CPUID_ENTRIES};

use crate::error::{Error, Result};

/// The environment variable that makes [`Kvm::open`] behave as if the host had no KVM
/// (any value but empty or `0`), so the "no KVM" paths can be tested on a machine that has it.
pub const FORCE_NO_KVM_ENV: &str = "VM370_FORCE_NO_KVM";

/// The KVM API version this crate speaks (the only stable one since Linux 2.6.22).
pub const KVM_API_VERSION: i32 = 12;

const KVM_DEVICE: &str = "/dev/kvm";

/// What kind of hardware virtualization backs `/dev/kvm` on this host.
///
/// It matters for speed and for equivalence (see `../shared/reference/kvm.md`): with VT-x or
/// AMD-V every guest ring runs on the hardware; under PVM only guest CPL3 code does, CPL0 code is
/// emulated about 1000x slower, and several sensitive instructions at CPL3 show the host's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// Intel VT-x (`vmx` in `/proc/cpuinfo`).
    Vmx,
    /// AMD-V (`svm` in `/proc/cpuinfo`).
    Svm,
    /// PVM, the page-table-based KVM that needs no VT-x (`/sys/module/kvm_pvm` exists).
    Pvm,
    /// None of the above could be recognised.
    Unknown,
}

impl Flavour {
    /// Detects the flavour of this host from `/sys/module/kvm_pvm` and the `/proc/cpuinfo` flags.
    /// It needs no access to `/dev/kvm`.
    pub fn detect() -> Flavour {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Flavour::from_host_facts(Path::new("/sys/module/kvm_pvm").exists(), &cpuinfo)
    }

    /// The decision behind [`Flavour::detect`], from the facts it reads: whether the `kvm_pvm`
    /// module is loaded, and the text of `/proc/cpuinfo`.
    pub fn from_host_facts(kvm_pvm_loaded: bool, cpuinfo: &str) -> Flavour {
        if kvm_pvm_loaded {
            return Flavour::Pvm;
        }
        let flags = cpuinfo
            .lines()
            .find(|l| l.starts_with("flags"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, f)| f)
            .unwrap_or("");
        let has = |flag: &str| flags.split_whitespace().any(|f| f == flag);
        if has("vmx") {
            Flavour::Vmx
        } else if has("svm") {
            Flavour::Svm
        } else {
            Flavour::Unknown
        }
    }

    /// A short lower-case name for reports: `vmx`, `svm`, `pvm` or `unknown`.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Vmx => "vmx",
            Flavour::Svm => "svm",
            Flavour::Pvm => "pvm",
            Flavour::Unknown => "unknown",
        }
    }

    /// Whether guest supervisor (CPL0) code runs on the hardware rather than being emulated.
    pub fn runs_cpl0_natively(self) -> bool {
        matches!(self, Flavour::Vmx | Flavour::Svm)
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An open `/dev/kvm`: the handle every VM is created from.
///
/// Open it once and share it (it is `Send + Sync`); it holds one file descriptor and the CPUID
/// the host supports, which every new vCPU is given.
#[derive(Debug)]
pub struct Kvm {
    kvm: kvm_ioctls::Kvm,
    cpuid: CpuId,
    run_size: usize,
    flavour: Flavour,
}

impl Kvm {
    /// Opens `/dev/kvm` and checks it is usable (API version 12).
    ///
    /// Fails with [`Error::KvmUnavailable`] when the device is missing, not accessible, the API
    /// version is wrong, or [`FORCE_NO_KVM_ENV`] is set; the message says which.
    pub fn open() -> Result<Kvm> {
        if let Some(v) = std::env::var_os(FORCE_NO_KVM_ENV)
            && !v.is_empty()
            && v != "0"
        {
            return Err(Error::KvmUnavailable(format!(
                "{FORCE_NO_KVM_ENV} is set, so KVM is treated as absent"
            )));
        }
        if !Path::new(KVM_DEVICE).exists() {
            return Err(Error::KvmUnavailable(format!(
                "{KVM_DEVICE} does not exist (no KVM in this kernel, or not passed to this container)"
            )));
        }
        let kvm = kvm_ioctls::Kvm::new().map_err(|e| {
            let err = io::Error::from_raw_os_error(e.errno());
            match err.kind() {
                io::ErrorKind::PermissionDenied => Error::KvmUnavailable(format!(
                    "no permission to open {KVM_DEVICE} (run as a member of its group, usually `kvm`)"
                )),
                _ => Error::KvmUnavailable(format!("cannot open {KVM_DEVICE}: {err}")),
            }
        })?;
        let version = kvm.get_api_version();
        if version != KVM_API_VERSION {
            return Err(Error::KvmUnavailable(format!(
                "{KVM_DEVICE} speaks KVM API version {version}, this program needs {KVM_API_VERSION}"
            )));
        }
        let cpuid = kvm
            .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
            .map_err(|e| Error::kvm("KVM_GET_SUPPORTED_CPUID", e))?;
        let run_size =
            kvm.get_vcpu_mmap_size().map_err(|e| Error::kvm("KVM_GET_VCPU_MMAP_SIZE", e))?;
        Ok(Kvm { kvm, cpuid, run_size, flavour: Flavour::detect() })
    }

    /// `Ok(())` if [`Kvm::open`] would succeed, else the reason it would not.
    pub fn check() -> Result<()> {
        Kvm::open().map(drop)
    }

    /// The flavour of virtualization behind this `/dev/kvm`.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }

    /// The number of vCPUs KVM recommends per VM (`KVM_CAP_NR_VCPUS`).
    pub fn recommended_vcpus(&self) -> usize {
        self.kvm.get_nr_vcpus()
    }

    pub(crate) fn inner(&self) -> &kvm_ioctls::Kvm {
        &self.kvm
    }

    pub(crate) fn cpuid(&self) -> &CpuId {
        &self.cpuid
    }

    pub(crate) fn run_size(&self) -> usize {
        self.run_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavour_from_facts() {
        let intel = "processor\t: 0\nflags\t\t: fpu vme vmx sse2\n";
        let amd = "processor\t: 0\nflags\t\t: fpu svm sse2\n";
        let plain = "processor\t: 0\nflags\t\t: fpu sse2 umip\n";
        assert_eq!(Flavour::from_host_facts(false, intel), Flavour::Vmx);
        assert_eq!(Flavour::from_host_facts(false, amd), Flavour::Svm);
        assert_eq!(Flavour::from_host_facts(false, plain), Flavour::Unknown);
        assert_eq!(Flavour::from_host_facts(true, plain), Flavour::Pvm);
        assert_eq!(Flavour::from_host_facts(true, intel), Flavour::Pvm);
        // "vmx" must be a whole flag, not part of another one.
        let tricky = "flags\t\t: fpu vmxfoo svm_lock\n";
        assert_eq!(Flavour::from_host_facts(false, tricky), Flavour::Unknown);
        assert_eq!(Flavour::from_host_facts(false, ""), Flavour::Unknown);
    }

    #[test]
    fn names() {
        assert_eq!(Flavour::Pvm.to_string(), "pvm");
        assert!(Flavour::Vmx.runs_cpl0_natively());
        assert!(!Flavour::Pvm.runs_cpl0_natively());
    }
}
