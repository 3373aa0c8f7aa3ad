//! Checks across entries that are not syntax errors: warnings the `DIRECT` command can show,
//! and the minidisk-extent check CP makes against the real volumes it has.
//!
//! R6 lets minidisks overlap on purpose (the `$ALLOC$` entries that fence off cylinder 0, the
//! whole-pack disks system programmers keep), so overlaps are warnings, never errors.

use std::fmt;

use super::model::*;

/// One minidisk extent, named by its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extent {
    /// Owner's user id.
    pub userid: String,
    /// The minidisk's virtual address.
    pub vaddr: VAddr,
    /// First cylinder.
    pub start: u16,
    /// Number of cylinders.
    pub cylinders: u16,
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = u32::from(self.start) + u32::from(self.cylinders) - 1;
        write!(f, "{} {} ({:03}-{:03})", self.userid, self.vaddr, self.start, last)
    }
}

/// Something in a directory worth telling its author, though it is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Two users' minidisks share cylinders of one volume.
    Overlap {
        /// The volume.
        volser: String,
        /// The extent that starts first.
        first: Extent,
        /// The extent overlapping it.
        second: Extent,
    },
    /// A `LINK` statement names a user or minidisk the directory does not define; the link
    /// fails at logon (`NOT IN CP DIRECTORY`).
    DanglingLink {
        /// The user whose entry has the `LINK`.
        userid: String,
        /// The target user.
        target: String,
        /// The target minidisk address.
        vaddr: VAddr,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Overlap { volser, first, second } => {
                write!(f, "MDISK EXTENTS OVERLAP ON {volser}: {first} AND {second}")
            }
            Self::DanglingLink { userid, target, vaddr } => {
                write!(f, "{userid} LINK {target} {vaddr}: NOT IN CP DIRECTORY")
            }
        }
    }
}

/// A real volume as CP has it: what an extent is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeInfo {
    /// Its device type.
    pub devtype: DasdType,
    /// Its number of cylinders.
    pub cylinders: u32,
}

/// A minidisk that does not fit the real volumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtentProblem {
    /// No volume with that serial.
    UnknownVolume {
        /// The minidisk.
        extent: Extent,
        /// The volume serial it names.
        volser: String,
    },
    /// The volume is of another device type than the `MDISK` says.
    WrongDeviceType {
        /// The minidisk.
        extent: Extent,
        /// The volume serial.
        volser: String,
        /// Type on the `MDISK` statement.
        mdisk: DasdType,
        /// Type of the volume.
        volume: DasdType,
    },
    /// The extent passes the end of the volume.
    BeyondVolume {
        /// The minidisk.
        extent: Extent,
        /// The volume serial.
        volser: String,
        /// Cylinders the volume has.
        volume_cylinders: u32,
    },
}

impl fmt::Display for ExtentProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownVolume { extent, volser } => {
                write!(f, "MDISK {extent}: VOLUME {volser} NOT DEFINED")
            }
            Self::WrongDeviceType { extent, volser, mdisk, volume } => {
                write!(f, "MDISK {extent}: DEVICE TYPE {mdisk} BUT VOLUME {volser} IS A {volume}")
            }
            Self::BeyondVolume { extent, volser, volume_cylinders } => write!(
                f,
                "MDISK {extent}: EXTENT BEYOND END OF VOLUME {volser} ({volume_cylinders} CYLINDERS)"
            ),
        }
    }
}

fn extent(u: &UserEntry, m: &Mdisk) -> Extent {
    Extent { userid: u.userid.clone(), vaddr: m.vaddr, start: m.start, cylinders: m.cylinders }
}

impl Directory {
    /// Every warning: overlaps between users, then dangling links.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut w = self.overlaps();
        w.extend(self.dangling_links());
        w
    }

    /// Minidisk extents of *different* users that share cylinders of a volume, ordered by
    /// volume and cylinder. (One user's own disks may overlap, as whole-pack disks do.)
    pub fn overlaps(&self) -> Vec<Warning> {
        let mut all: Vec<(&str, Extent)> = self
            .users
            .iter()
            .flat_map(|u| u.mdisks.iter().map(move |m| (m.volser.as_str(), extent(u, m))))
            .collect();
        all.sort_by(|a, b| (a.0, a.1.start).cmp(&(b.0, b.1.start)));
        let mut out = Vec::new();
        for (i, (vol, a)) in all.iter().enumerate() {
            let a_end = u32::from(a.start) + u32::from(a.cylinders);
            for (vol_b, b) in &all[i + 1..] {
                if vol_b != vol || u32::from(b.start) >= a_end {
                    break;
                }
                if b.userid != a.userid {
                    out.push(Warning::Overlap {
                        volser: (*vol).to_string(),
                        first: a.clone(),
                        second: b.clone(),
                    });
                }
            }
        }
        out
    }

    /// `LINK` statements whose target user or minidisk is not in this directory.
    pub fn dangling_links(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for u in &self.users {
            for l in &u.links {
                if self.mdisk(&l.userid, l.vaddr).is_none() {
                    out.push(Warning::DanglingLink {
                        userid: u.userid.clone(),
                        target: l.userid.clone(),
                        vaddr: l.vaddr,
                    });
                }
            }
        }
        out
    }

    /// Check every minidisk against the real volumes `volume(volser)` describes (CP calls
    /// this with its configured volumes; see `SystemConfig::check_directory`).
    pub fn check_extents(&self, volume: impl Fn(&str) -> Option<VolumeInfo>) -> Vec<ExtentProblem> {
        let mut out = Vec::new();
        for u in &self.users {
            for m in &u.mdisks {
                let ext = extent(u, m);
                let volser = m.volser.clone();
                match volume(&m.volser) {
                    None => out.push(ExtentProblem::UnknownVolume { extent: ext, volser }),
                    Some(v) if v.devtype != m.devtype => out.push(ExtentProblem::WrongDeviceType {
                        extent: ext,
                        volser,
                        mdisk: m.devtype,
                        volume: v.devtype,
                    }),
                    Some(v) if m.end() > v.cylinders => out.push(ExtentProblem::BeyondVolume {
                        extent: ext,
                        volser,
                        volume_cylinders: v.cylinders,
                    }),
                    Some(_) => {}
                }
            }
        }
        out
    }
}
