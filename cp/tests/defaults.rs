//! The embedded defaults: every file parses without error and describes the system the README
//! promises, and the R6 example matches the shared data it points at.

use std::path::{Path, PathBuf};

use cp::config::{self, SavedSource};
use cp::defaults;
use cp::directory::{Access, IplTarget, LinkMode, Machine, SpoolClass, SpoolKind, Storage, VAddr};

const M: u32 = 1024 * 1024;

#[test]
fn every_embedded_file_parses() {
    for (name, text) in defaults::FILES.iter().chain(defaults::r6::FILES.iter()) {
        let result = if name.ends_with("CONFIG") {
            config::parse(text, name).map(|_| ())
        } else {
            cp::directory::parse(text, name).map(|_| ())
        };
        assert_eq!(result, Ok(()), "{name}");
        assert!(
            text.lines().all(|l| l.chars().count() <= 71) || name.ends_with("CONFIG"),
            "{name}"
        );
    }
    let c = defaults::system_config();
    assert_eq!(c.directory_file.as_str(), defaults::USER_DIRECT_FILE);
    assert_eq!(defaults::r6::system_config().directory_file.as_str(), defaults::USER_DIRECT_FILE);
}

#[test]
fn default_users_are_the_ones_vm370_people_know() {
    let d = defaults::directory();
    let table = [
        ("MAINT", "CPCMS", "ABCDEFGH", 15, 16, Machine::S370, true),
        ("OPERATOR", "OPERATOR", "ABCDEFGH", 2, 16, Machine::S370, false),
        ("CMSUSER", "CMSUSER", "G", 15, 16, Machine::S370, true),
        ("ALICE", "ALICE", "G", 4, 16, Machine::S370, false),
        ("BOB", "BOB", "G", 4, 16, Machine::S370, false),
        ("X86USER", "X86USER", "G", 16, 64, Machine::X86, true),
    ];
    for (id, pw, classes, stor, max, machine, ipl_cms) in table {
        let u = d.user(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(u.password_matches(pw), "{id}");
        assert!(!u.password_matches("WRONG"), "{id}");
        assert_eq!(u.classes.to_string(), classes, "{id}");
        assert_eq!((u.storage, u.max_storage), (Storage(stor * M), Storage(max * M)), "{id}");
        assert_eq!(u.machine, machine, "{id}");
        // CMS users start in CMS; the operator and the two test users start in CP mode.
        let want = ipl_cms.then(|| IplTarget::System("CMS".into()));
        assert_eq!(u.ipl.as_ref().map(|i| &i.target), want.as_ref(), "{id}");
        let con = u.console.as_ref().expect("console");
        assert_eq!((con.vaddr, con.devtype), (VAddr(0x009), 3215), "{id}");
        let spool: Vec<_> =
            u.spool.iter().map(|s| (s.vaddr.0, s.devtype, s.kind, s.class)).collect();
        assert_eq!(
            spool,
            [
                (0x00C, 2540, SpoolKind::Reader, Some(SpoolClass::Any)),
                (0x00D, 2540, SpoolKind::Punch, Some(SpoolClass::Class('A'))),
                (0x00E, 1403, SpoolKind::Printer, Some(SpoolClass::Class('A'))),
            ],
            "{id}"
        );
        let a = u.mdisk(VAddr(0x191)).unwrap_or_else(|| panic!("{id} has no 191"));
        assert!(a.cylinders >= 3, "{id}");
        if id == "MAINT" {
            for disk in [0x190, 0x19E] {
                let m = u.mdisk(VAddr(disk)).expect("MAINT system disk");
                assert!(
                    m.admits(cp::directory::PasswordKind::Read, None),
                    "everyone may read {disk:X}"
                );
            }
        } else {
            assert_eq!(a.volser, "VM370U", "{id}");
            let links: Vec<_> = u
                .links
                .iter()
                .map(|l| (l.userid.as_str(), l.vaddr.0, l.as_vaddr.0, l.mode))
                .collect();
            let rr = LinkMode::new(Access::RR);
            assert_eq!(links, [("MAINT", 0x190, 0x190, rr), ("MAINT", 0x19E, 0x19E, rr)], "{id}");
        }
    }
    let logons: Vec<_> =
        d.users.iter().filter(|u| u.can_log_on()).map(|u| u.userid.as_str()).collect();
    assert_eq!(logons, ["MAINT", "OPERATOR", "CMSUSER", "ALICE", "BOB", "X86USER"]);
}

#[test]
fn default_directory_fits_the_default_volumes() {
    let d = defaults::directory();
    let c = defaults::system_config();
    assert_eq!(c.check_directory(&d), []);
    assert_eq!(d.warnings(), [], "no overlaps, no dangling links");
    assert_eq!(c.unknown_ipl_systems(&d), []);
    assert_eq!(c.volume(&d.volume.volser).and_then(|v| v.address), Some(d.volume.address));
    assert_eq!(c.sysid, "VM370");
    assert_eq!(c.cpus, 0);
    assert_eq!(c.timezone.to_string(), "UTC +00:00");
    assert_eq!(c.ready_message.prompt(), "R;");
    assert_eq!(c.disconnect_timeout, 15);
    let tn: Vec<_> = c.listeners.iter().map(|l| (l.kind.as_str(), l.address.to_string())).collect();
    assert_eq!(tn[0], ("TN3270", "127.0.0.1:3270".to_string()));
    for m in [Machine::S370, Machine::X86] {
        let cms = c.saved_system("CMS", m).expect("CMS for both machines");
        assert!(cms.ipl && cms.source == SavedSource::Builtin);
    }
    // Relative volume paths land in the data directory.
    let p = c.volume("VM370S").expect("VM370S").path.resolve(Path::new("/d"), |_| None);
    assert_eq!(p, Ok(PathBuf::from("/d/volumes/vm370s.3350")));
}

#[test]
fn r6_example_gives_cmsr6_the_real_disks_and_segments() {
    let d = defaults::r6::directory();
    let c = defaults::r6::system_config();
    let u = d.user("CMSR6").expect("CMSR6");
    assert!(u.password_matches("CMSR6"));
    assert_eq!(u.storage, Storage(15 * M));
    assert_eq!(u.ipl.as_ref().map(|i| &i.target), Some(&IplTarget::System("CMS".into())));
    let disks: Vec<u16> = u.mdisks.iter().map(|m| m.vaddr.0).collect();
    assert_eq!(disks, [0x191, 0x192, 0x193, 0x194, 0x195, 0x19D, 0x201, 0x202]);
    assert!(u.mdisks.iter().all(|m| m.start == 0), "whole-volume minidisks from cylinder 0");
    assert_eq!(c.check_directory(&d), []);
    assert_eq!(c.unknown_ipl_systems(&d), []);
    assert_eq!(d.warnings(), []);
    for m in &u.mdisks {
        let v = c.volume(&m.volser).expect("volume");
        assert_eq!(v.cylinders(), u32::from(m.cylinders), "{} fills its volume", m.vaddr);
        let writable = m.vaddr.0 < 0x19D;
        assert_eq!(m.mode.access.wants_write(), writable, "{}", m.vaddr);
    }
    let cms = c.saved_system("CMS", Machine::S370).expect("CMS");
    assert_eq!((cms.pages, cms.load_page, cms.ipl), (33, 0, true));
    let seg = c.saved_system("CMSSEG", Machine::S370).expect("CMSSEG");
    assert_eq!((seg.pages, seg.load_address(), seg.ipl), (16, 15 * u64::from(M), false));
    assert!(seg.load_address() >= u64::from(u.storage.bytes()), "CMSSEG lies above the machine");
}

/// The shared data tree, if this checkout has one.
fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    p.join("data/vm370r6/manifest.json").is_file().then_some(p)
}

#[test]
fn r6_example_matches_the_shared_data() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared/data/vm370r6 not present");
        return;
    };
    let c = defaults::r6::system_config();
    let vars = |n: &str| (n == "SHARED").then(|| shared.clone());
    let data = Path::new("/nonexistent-data-dir");
    let manifest =
        std::fs::read_to_string(shared.join("data/vm370r6/manifest.json")).expect("manifest");
    for v in &c.volumes {
        let src = v.source.as_ref().expect("every R6 volume has a SOURCE");
        let src = src.resolve(data, vars).expect("resolves");
        assert!(src.is_file(), "{} exists", src.display());
        // manifest: "image": "<name>.3350.ckd", ... "cylinders": N (the first after it)
        let image = src
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".gz"))
            .expect("name");
        let at = manifest.find(&format!("\"image\": \"{image}\"")).expect("image in manifest");
        let after = &manifest[at..];
        let cyl = after["cylinders".len() + after.find("\"cylinders\":").expect("cylinders")..]
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .expect("cylinder count");
        assert_eq!(v.cylinders(), cyl, "{image}");
        assert_eq!(v.path.resolve(data, vars), Ok(data.join("volumes").join(image)));
    }
    for s in &c.saved_systems {
        let SavedSource::File(p) = &s.source else { panic!("R6 segments come from files") };
        let f = p.resolve(data, vars).expect("resolves");
        let len = std::fs::metadata(&f).expect("segment file").len();
        assert_eq!(len, u64::from(s.pages + 1) * 4096, "{}: state page + pages", s.name);
    }
}

#[test]
fn the_r6_files_with_our_cms_change_only_the_cms_saved_system() {
    for cms in [defaults::r6::Cms::Ibm, defaults::r6::Cms::Ours] {
        let dir = tempfile::tempdir().expect("tempdir");
        defaults::r6::write_files(dir.path(), cms).expect("write");
        let text =
            std::fs::read_to_string(dir.path().join(defaults::SYSTEM_CONFIG_FILE)).expect("read");
        let c = config::parse(&text, "SYSTEM.CONFIG").expect("parses");
        let ibm = defaults::r6::system_config();
        assert_eq!(c.volumes, ibm.volumes);
        let cms_sys = c.saved_systems.iter().find(|s| s.name == "CMS").expect("CMS");
        assert_eq!(matches!(cms_sys.source, SavedSource::Builtin), cms == defaults::r6::Cms::Ours);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(defaults::USER_DIRECT_FILE)).expect("read"),
            defaults::r6::USER_DIRECT
        );
    }
}
