//! `:export`: what the focused pane exports (the whole list walked, the marked rows, the open
//! object, a list the app built), where (a file, refused when it exists unless `:export!`;
//! the clipboard), and the export's life in the status bar: progress, Esc, the end.

use crossterm::event::KeyCode;

use super::commands::typed;
use super::*;
use crate::app::export::job::{ExportJob, Exported, Format, Source, Target, Written};

/// The export `seq` ends with `result`; the effects that follow.
fn end(s: &mut State, seq: u64, result: Result<Exported, ErrorInfo>) -> Vec<Effect> {
    update(s, Action::ExportDone { seq, result })
}

fn to(rows: u64, left_out: u64, to: Written) -> Result<Exported, ErrorInfo> {
    Ok(Exported { rows, left_out, to })
}

fn loaded() -> State {
    let mut s = kratos_state();
    run(&mut s, Action::Resize(100, 30), 25);
    s
}

fn job(effects: &[Effect]) -> &ExportJob {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Export(job) => Some(job),
            _ => None,
        })
        .expect("an export is asked for")
}

fn status(s: &State) -> String {
    let error = s.error.as_ref().map(|e| e.line.clone());
    s.flash
        .clone()
        .or(error)
        .or_else(|| s.export.as_ref().map(crate::app::export::progress_line))
        .unwrap_or_default()
}

#[test]
fn the_list_in_view_is_walked_whole_to_a_file_named_by_its_extension() {
    let mut s = loaded();
    let effects = typed(&mut s, "export ~/ids.jsonl");
    let job = job(&effects);
    assert_eq!(job.format, Format::Jsonl);
    assert_eq!(
        job.target,
        Target::File {
            path: "~/ids.jsonl".into(),
            replace: false
        }
    );
    match &job.source {
        Source::List {
            kind,
            search,
            page_size,
            only,
            ..
        } => {
            assert_eq!(*kind, ListKind::Kratos(kratos::List::Identities));
            assert_eq!(*search, None);
            // The page size `G` walks with, not the browsing one.
            assert_eq!(Some(*page_size), kind.walk_page_size());
            assert!(only.is_none());
        }
        other => panic!("a list walk, not {other:?}"),
    }
    let titles: Vec<&str> = job.columns.iter().flatten().map(|c| c.title()).collect();
    let shown: Vec<&str> = s
        .focused_table()
        .unwrap()
        .kind()
        .columns()
        .iter()
        .map(|c| c.title)
        .collect();
    assert_eq!(titles, shown, "a CSV shows the list's columns");
    assert!(
        status(&s).contains("exporting to ~/ids.jsonl: 0 rows"),
        "{}",
        status(&s)
    );
}

#[test]
fn an_unknown_extension_names_the_three_and_asks_nothing() {
    let mut s = loaded();
    let effects = typed(&mut s, "export ids.txt");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Export(_))));
    let line = status(&s);
    assert!(line.contains(".jsonl, .json or .csv"), "{line}");
    assert!(s.export.is_none());
}

#[test]
fn export_bang_may_replace_and_dash_copies_in_the_format_chosen() {
    let mut s = loaded();
    let effects = typed(&mut s, "export! out.CSV");
    let j = job(&effects);
    assert_eq!(j.format, Format::Csv);
    assert!(matches!(j.target, Target::File { replace: true, .. }));
    let seq = j.seq;
    end(&mut s, seq, Err(ErrorInfo::new("x", "x")));
    for (arg, format) in [
        ("-", Format::Jsonl),
        ("-.json", Format::Json),
        ("-.csv", Format::Csv),
    ] {
        let effects = typed(&mut s, &format!("export {arg}"));
        let j = job(&effects);
        assert_eq!((j.target.clone(), j.format), (Target::Clipboard, format));
        let seq = j.seq;
        end(&mut s, seq, Err(ErrorInfo::new("x", "x")));
    }
}

#[test]
fn only_the_marked_rows_are_kept_when_some_are_marked() {
    let mut s = loaded();
    let (a, b) = {
        let t = s.focused_table().unwrap();
        (t.row(1).unwrap().id.clone(), t.row(3).unwrap().id.clone())
    };
    let t = s.focused_table_mut().unwrap();
    t.marks_mut().toggle(&a, "");
    t.marks_mut().toggle(&b, "");
    let effects = typed(&mut s, "export marked.json");
    let Source::List {
        only: Some(only), ..
    } = &job(&effects).source
    else {
        panic!("a walk keeping the marked rows");
    };
    assert_eq!(only.count(), 2);
    assert!(only.keeps(&a) && only.keeps(&b));
    assert!(!only.keeps(&s.focused_table().unwrap().row(0).unwrap().id));
}

#[test]
fn the_open_object_is_read_afresh_when_a_detail_is_focused() {
    let mut s = loaded();
    let id = s.focused_table().unwrap().row(0).unwrap().id.clone();
    run(&mut s, key(KeyCode::Enter), 25);
    assert!(matches!(s.focused(), Some(Pane::Detail(_))));
    let effects = typed(&mut s, "export one.jsonl");
    match &job(&effects).source {
        Source::Object { kind, id: got, .. } => {
            assert_eq!(*got, id);
            assert_eq!(*kind, ObjectKind::Kratos(kratos::Object::Identity));
        }
        other => panic!("the open object, not {other:?}"),
    }
}

#[test]
fn progress_shows_rows_and_rate_and_esc_cancels_the_export() {
    let mut s = loaded();
    let seq = job(&typed(&mut s, "export big.jsonl")).seq;
    assert!(s.awaits(seq));
    update(
        &mut s,
        Action::ExportProgress {
            seq,
            rows: 123_456,
            per_second: 40_000,
        },
    );
    let line = status(&s);
    assert!(
        line.contains("123,456 rows") && line.contains("40,000/s") && line.contains("Esc"),
        "{line}"
    );
    // A second export waits for the first.
    let again = typed(&mut s, "export other.jsonl");
    assert!(!again.iter().any(|e| matches!(e, Effect::Export(_))));
    assert!(status(&s).contains("is running"));

    let depth = s.tab().unwrap().stack.len();
    update(&mut s, key(KeyCode::Esc));
    assert!(
        !s.awaits(seq),
        "the runtime stops what is no longer awaited"
    );
    assert!(s.export.is_none());
    assert!(status(&s).contains("cancelled"), "{}", status(&s));
    assert_eq!(s.tab().unwrap().stack.len(), depth, "Esc did nothing else");
    // Its end, if it still comes, changes nothing.
    end(&mut s, seq, to(5, 0, Written::File("big.jsonl".into())));
    assert!(status(&s).contains("cancelled"));
}

#[test]
fn the_end_says_where_it_went_and_a_small_export_is_copied() {
    let mut s = loaded();
    let seq = job(&typed(&mut s, "export out.jsonl")).seq;
    let effects = end(
        &mut s,
        seq,
        to(1234, 1, Written::File("/home/a/out.jsonl".into())),
    );
    assert!(effects.is_empty(), "no audit line: an export is a read");
    assert_eq!(
        status(&s),
        "exported 1,234 rows to /home/a/out.jsonl (1 unreadable records left out)"
    );

    let seq = job(&typed(&mut s, "export -")).seq;
    let copied = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n".to_string();
    let effects = end(&mut s, seq, to(2, 0, Written::Clipboard(copied)));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Copy { text, .. } if text.lines().count() == 2))
    );
}
