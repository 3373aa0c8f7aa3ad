//! The CMS system disk: a fresh default system's MAINT 190 holds CMS, and `IPL 190` starts
//! the same CMS as `IPL CMS` (cp/src/sysdisk.rs, cms/doc/sysdisk.md).

mod common;

use std::sync::Arc;

use common::Term;
use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};

fn default_system() -> (tempfile::TempDir, Arc<System>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sys = System::start(&StartOptions {
        data_dir: dir.path().join("data"),
        deterministic: false,
        cpus: None,
    })
    .expect("the default system starts");
    (dir, sys)
}

/// Types `line` and waits for a line containing `want` after it; the lines since.
fn step(t: &Term, line: &str, want: &str) -> Vec<String> {
    let n = t.screen.len();
    t.user.input(&t.sys, line);
    assert!(t.screen.wait_from(n, want), "`{line}`: wanted `{want}`, got {:?}", t.screen.since(n));
    t.screen.since(n)
}

/// Waits until the virtual machine reads its console (VM READ).
fn wait_vm_read(t: &Term) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if t.user.console.status() == cp::vdev::Status::VmRead {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("never in VM READ: {:?}", t.screen.lines());
}

fn storage(t: &Term, from: u64, len: usize) -> Vec<u8> {
    let mut st = t.user.lock();
    let mut buf = vec![0u8; len];
    st.vm.memory().read(from, &mut buf).expect("in storage");
    buf
}

#[test]
fn the_190_is_the_cms_system_disk() {
    let (_dir, sys) = default_system();
    let m = sys.directory.read().expect("dir").user("MAINT").expect("MAINT").mdisks[0].clone();
    assert_eq!(m.vaddr.0, 0x190);
    let vol = Arc::clone(sys.volumes.get(&m.volser).expect("volume"));
    let at = cp::sysdisk::nucleus_location(&vol, u32::from(m.cylinders), Default::default())
        .expect("room for the nucleus");
    // The file system stops where the nucleus starts, like R6's FORMAT ... (RECOMP).
    let md = MinidiskBlocks::new(Arc::clone(&vol), u32::from(m.start), u32::from(at.cylinder));
    let mut disk = cms::fs::CmsDisk::mount(md).expect("a CMS disk");
    assert_eq!(disk.label(), "CMS190");
    assert_eq!(disk.status().cylinders, u32::from(at.cylinder));
    let names: Vec<String> = disk
        .files()
        .map(|f| format!("{} {}", f.id.fname.to_text(), f.id.ftype.to_text()))
        .collect();
    // The nucleus map, the program macro library and the sample programs (source and TEXT).
    let mut expect = vec!["CMSNUC MAP".to_string()];
    if !cms::s370::MACLIB.is_empty() {
        expect.push("CMSLIB MACLIB".to_string());
    }
    for (name, _, _) in cms::s370::SAMPLES {
        expect.push(format!("{name} ASSEMBLE"));
        expect.push(format!("{name} TEXT"));
    }
    let mut names = names;
    names.sort();
    expect.sort();
    assert_eq!(names, expect);
    assert!(cms::s370::SAMPLES.iter().any(|s| s.0 == "HELLO"), "the HELLO sample is shipped");
    let map = cms::fs::FileId::new("CMSNUC", "MAP").expect("fileid");
    let fst = disk.find(&map).expect("the map");
    assert_eq!(fst.mode().expect("a mode").to_string(), "A2");
    let text: Vec<String> = disk
        .read_records(&map)
        .expect("read")
        .iter()
        .map(|r| cms::fs::ebcdic::decode(r).trim_end().to_string())
        .collect();
    assert!(
        text[1].starts_with(&format!("NUCLEUS CYLINDER {} PAGES {}", at.cylinder, at.pages)),
        "{text:?}"
    );
    let report = disk.check().expect("check");
    assert!(report.is_clean(), "{report:?}");
    // Blocks 1 and 2 are the IPL records: the PSW at the bootstrap, READ DATA of record 2.
    let mut dev = disk.into_device();
    let mut b = [0u8; 800];
    cms::fs::BlockDevice::read_block(&mut dev, 1, &mut b).expect("block 1");
    assert_eq!(b[..8], [0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00]);
    assert_eq!(b[8..16], [0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x03, 0x20]);
    // The nucleus pages are the image's, 4096-byte records past the file system.
    let pages = cms::s370::nucleus_pages();
    assert_eq!(usize::from(at.pages), pages);
    for p in [0, pages / 2, pages - 1] {
        let t = p / usize::from(at.records_per_track);
        let cyl = u32::from(m.start) + u32::from(at.cylinder) + t as u32 / vol.heads();
        let trk = vol.track(cyl, t as u32 % vol.heads()).expect("track");
        let rec = (p % usize::from(at.records_per_track) + 1) as u8;
        let i = (1..trk.len()).find(|&i| trk.count(i).rec == rec).expect("the record");
        assert_eq!(trk.data(i), &cms::s370::nucleus_page(p)[..], "page {p}");
    }
}

#[test]
fn ipl_190_starts_cms_as_ipl_cms_does() {
    let (_dir, sys) = default_system();
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    let bob = Term::logon(&sys, "BOB", "BOB");
    let banner = step(&alice, "ipl 190", "CMS VERSION 6.0 - ");
    assert!(banner.iter().all(|l| !l.contains("EXCEPTION")), "{banner:?}");
    step(&bob, "ipl cms", "CMS VERSION 6.0 - ");
    wait_vm_read(&alice);
    wait_vm_read(&bob);
    // The same nucleus, started the same way, has come to the same first console read: its
    // code and constants match the saved system's; the bootstrap cleared its buffer and
    // itself but for its last three instructions (8 bytes at the end of record 2).
    let end = cms::s370::END as usize;
    let (a, b) = (storage(&alice, 0x1000, end - 0x1000), storage(&bob, 0x1000, end - 0x1000));
    let differ = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    assert_eq!(differ, 0, "bytes of the nucleus differ");
    // The user area is as the saved system leaves it (what CMS put there itself) but for
    // the bootstrap's last three instructions: 8 bytes.
    let (a, b) = (storage(&alice, 0x20000, 0x2000), storage(&bob, 0x20000, 0x2000));
    let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert!(
        differ.last().zip(differ.first()).is_some_and(|(l, f)| l - f < 8),
        "the bootstrap left {:X?}",
        differ.iter().map(|&i| (0x20000 + i, a[i])).collect::<Vec<_>>()
    );

    for t in [&alice, &bob] {
        let out = step(t, "", "R;");
        assert!(out.iter().any(|l| l == "Y (19E) R/O"), "{out:?}");
        let out = step(t, "query search", "R;");
        assert!(out.iter().any(|l| l == "CMS190   190  S    R/O"), "{out:?}");
        let out = step(t, "listfile * * s", "R;");
        assert!(out.iter().any(|l| l.starts_with("CMSNUC   MAP      S2")), "{out:?}");
        let out = step(t, "query disk s", "R;");
        let files = 2 + 2 * cms::s370::SAMPLES.len();
        let want = format!("S (190): {files} FILES");
        assert!(out.iter().any(|l| l.starts_with(&want)), "{out:?}");
    }
    // IPL 190 PARM: the parameter is taken and CMS comes up the same.
    step(&alice, "#cp ipl 190 parm autocr", "CMS VERSION 6.0 - ");
    assert_eq!(alice.user.lock().ipl_parm.as_deref(), Some("AUTOCR"));
    // From cleared storage too.
    wait_vm_read(&alice);
    step(&alice, "#cp ipl 190 clear", "CMS VERSION 6.0 - ");
    wait_vm_read(&alice);
    step(&alice, "", "R;");
}

#[test]
fn maint_and_cmsuser_ipl_190() {
    let (_dir, sys) = default_system();
    for (u, pw) in [("MAINT", "CPCMS"), ("CMSUSER", "CMSUSER")] {
        let t = Term::logon(&sys, u, pw);
        // Both IPL CMS at logon; the remembered line runs the CP command after the access.
        assert!(t.screen.wait_for("CMS VERSION 6.0 - "), "{:?}", t.screen.lines());
        wait_vm_read(&t);
        step(&t, "", "R;");
        let n = t.screen.len();
        step(&t, "#cp ipl 190", "CMS VERSION 6.0 - ");
        wait_vm_read(&t);
        let out = step(&t, "", "R;");
        assert!(out.iter().all(|l| !l.contains("EXCEPTION")), "{:?}", t.screen.since(n));
        step(&t, "listfile cmsnuc map s", "CMSNUC   MAP      S2");
    }
}

#[test]
fn the_bootstrap_gives_cms_the_ready_style_of_the_system() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    for (name, text) in cp::defaults::FILES {
        let text = text.replace("READYMSG R\n", "READYMSG READY\n");
        std::fs::write(data.join(name), text).expect("write");
    }
    let sys = System::start(&StartOptions { data_dir: data, deterministic: false, cpus: None })
        .expect("starts");
    let alice = Term::logon(&sys, "ALICE", "ALICE");
    step(&alice, "ipl 190", "CMS VERSION 6.0 - ");
    wait_vm_read(&alice);
    let out = step(&alice, "", "Ready;");
    assert!(out.iter().all(|l| !l.starts_with("R;")), "{out:?}");
}
