//! IBM's own VM/370 R6 disks (`../shared/data/vm370r6/`): every file on every disk is listed
//! as the shipped listings and `cmsfs.py list` say, its records are byte-identical to what
//! `cmsfs.py` reads (and to `cmsfs.py get`'s output), and the consistency check agrees with
//! `cmsfs.py info`.

mod common;

use cms::fs::CmsDisk;

#[test]
fn every_file_on_every_real_disk() {
    let Some(disks) = common::real_disks() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut total = 0;
    for path in &disks {
        let name = common::short_name(path);
        let img = common::load(path);
        let image = common::save(&img, tmp.path(), &format!("{name}.ckd"));
        let mut disk = CmsDisk::mount(img).unwrap_or_else(|e| panic!("{name}: {e}"));

        // The listing shipped with the data, from the table header on.
        let shipped = std::fs::read_to_string(path.with_file_name(format!("{name}.listing.txt")))
            .expect("listing file");
        let shipped: Vec<&str> = shipped
            .lines()
            .skip_while(|l| !l.starts_with("FILENAME FILETYPE"))
            .filter(|l| !l.trim().is_empty())
            .collect();
        let mine = common::listing(&disk);
        assert_eq!(mine, shipped, "{name}: listing");

        let report = disk.check().unwrap();
        assert!(report.is_clean(), "{name}: {:?}", report.problems);
        assert_eq!(report.blocks_referenced, report.adtused, "{name}");
        assert_eq!(report.adtused, disk.status().used, "{name}");

        if let Some(list) = common::cmsfs_text(&image, &["list"]) {
            assert_eq!(mine, list.lines().collect::<Vec<_>>(), "{name}: cmsfs.py list");
            let info = common::cmsfs_text(&image, &["info"]).unwrap();
            let s = disk.status();
            assert_eq!(common::json_string(&info, "volid"), s.label, "{name}");
            for (key, v) in [
                ("adtnum", u64::from(s.blocks)),
                ("adtcyl", u64::from(s.cylinders)),
                ("fst_blocks", s.fst_blocks as u64),
                ("qmsk_extensions", s.qmsk_extensions as u64),
                ("files", report.files as u64),
                ("data_blocks", u64::from(report.data_blocks)),
                ("chain_links", u64::from(report.chain_links)),
                ("system_blocks", u64::from(report.system_blocks)),
                ("blocks_referenced", u64::from(report.blocks_referenced)),
                ("qmsk_bits_set", u64::from(report.qmsk_bits_set)),
                ("problem_count", report.problem_count as u64),
            ] {
                assert_eq!(common::json_number(&info, key), v, "{name}: {key}");
            }
            assert_eq!(common::json_string(&info, "unit_type"), format!("{:02X}", s.unit_type));
            total += common::compare_with_cmsfs(&mut disk, &image).unwrap_or(0);
        }
    }
    println!("{total} files on {} disks identical to cmsfs.py", disks.len());
}
