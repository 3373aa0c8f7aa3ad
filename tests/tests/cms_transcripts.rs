//! Runs every CMS session transcript (`tests/cms/*.cmst`) against the S/370 CMS: one test per
//! transcript, each on a fresh default system (the driver is `tests::cmsdrv`). The x86 CMS
//! runs the same transcripts (`cp/tests/x86_transcripts.rs`).

use tests::cmsdrv::run_file;
use tests::transcript::ReadyStyle;

fn run(name: &str) {
    let path = tests::cmsdrv::transcripts_dir().join(format!("{name}.cmst"));
    if let Err(e) = run_file(&path, ReadyStyle::R) {
        panic!("{e}");
    }
}

macro_rules! transcripts {
    ($($f:ident => $n:literal),* $(,)?) => {
        $(
            #[test]
            fn $f() {
                run($n);
            }
        )*
        /// Every transcript file has a test above.
        #[test]
        fn every_transcript_is_run() {
            let listed = [$($n),*];
            let dir = tests::cmsdrv::transcripts_dir();
            for e in std::fs::read_dir(&dir).expect("tests/cms") {
                let p = e.expect("entry").path();
                if p.extension().is_some_and(|x| x == "cmst") {
                    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
                    assert!(listed.contains(&stem.as_str()), "{stem} has no test");
                }
            }
        }
    };
}

transcripts! {
    abbreviations => "abbreviations",
    access_release => "access-release",
    append_after_read => "append-after-read",
    attention_ht_rt => "attention-ht-rt",
    attention_hx => "attention-hx",
    copyfile_basic => "copyfile-basic",
    copyfile_recfm => "copyfile-recfm",
    cp_commands => "cp-commands",
    debug => "debug",
    disk_damaged => "disk-damaged",
    disk_full => "disk-full",
    edit_case_serial => "edit-case-serial",
    edit_change => "edit-change",
    edit_delete_insert_replace => "edit-delete-insert-replace",
    edit_input_modes => "edit-input-modes",
    edit_locate_find => "edit-locate-find",
    edit_misc => "edit-misc",
    edit_navigation => "edit-navigation",
    edit_roundtrip => "edit-roundtrip",
    edit_save_autosave => "edit-save-autosave",
    emsg => "emsg",
    exec_args => "exec-args",
    exec_arith => "exec-arith",
    exec_builtins => "exec-builtins",
    exec_control => "exec-control",
    exec_drives_edit => "exec-drives-edit",
    exec_errors => "exec-errors",
    exec_exit_error => "exec-exit-error",
    exec_if_goto => "exec-if-goto",
    exec_loop_forms => "exec-loop-forms",
    exec_loop => "exec-loop",
    exec_punch => "exec-punch",
    exec_stack_read => "exec-stack-read",
    exec_type_misc => "exec-type-misc",
    file_lifecycle => "file-lifecycle",
    fileid_rules => "fileid-rules",
    format_disk => "format-disk",
    ipl_logon_logoff => "ipl-logon-logoff",
    link_access => "link-access",
    listfile_basic => "listfile-basic",
    listfile_exec => "listfile-exec",
    listfile_options => "listfile-options",
    print => "print",
    profile_ipl => "profile-ipl",
    program_attention_hx => "program-attention-hx",
    program_check => "program-check",
    program_console_fileio => "program-console-fileio",
    program_genmod => "program-genmod",
    program_link_debug => "program-link-debug",
    program_load_start => "program-load-start",
    program_macros => "program-macros",
    punch_header => "punch-header",
    query_settings => "query-settings",
    rename => "rename",
    set_settings => "set-settings",
    spool_disk_dump_load => "spool-disk-dump-load",
    spool_punch_readcard => "spool-punch-readcard",
    state_erase => "state-erase",
    type_ranges => "type-ranges",
    unknown_command => "unknown-command",
}
