//! The first run: an empty data directory becomes a complete default system.

use std::sync::Arc;

use cp::dasd::MinidiskBlocks;
use cp::system::{StartOptions, System};
use cp::user::User;

#[test]
fn fresh_data_directory_becomes_the_default_system() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let sys =
        System::start(&StartOptions { data_dir: data.clone(), deterministic: true, cpus: None })
            .expect("the default system starts");
    assert!(data.join("SYSTEM.CONFIG").exists() && data.join("USER.DIRECT").exists());
    {
        let d = sys.directory.read().expect("directory");
        for (u, pw) in [("MAINT", "CPCMS"), ("OPERATOR", "OPERATOR"), ("CMSUSER", "CMSUSER")] {
            assert!(d.user(u).expect("user exists").password_matches(pw), "{u}");
        }
    }
    // CMSUSER's 191 is an empty CMS disk with its label.
    let m = sys.directory.read().expect("dir").user("CMSUSER").expect("CMSUSER").mdisks[0].clone();
    let vol = Arc::clone(sys.volumes.get(&m.volser).expect("volume"));
    let disk = cms::fs::CmsDisk::mount(MinidiskBlocks::new(
        vol,
        u32::from(m.start),
        u32::from(m.cylinders),
    ))
    .expect("a CMS disk");
    assert_eq!(disk.label(), "CMS191");
    assert_eq!(disk.files().count(), 0);

    // Logging on builds the machine with its disks; the deterministic clock gives the date.
    let u = User::logon(&sys, "cmsuser", "cmsuser", None).expect("logon");
    let st = u.lock();
    assert!(st.vm.devices.contains_key(&0x191) && st.vm.devices.contains_key(&0x190));
    drop(st);
    u.logoff(&sys, false);
    drop(sys);

    // A second start keeps what the first made.
    let sys = System::start(&StartOptions { data_dir: data, deterministic: true, cpus: None })
        .expect("restart");
    assert!(sys.user("CMSUSER").is_none());
}
