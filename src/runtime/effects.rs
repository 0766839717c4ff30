//! Running effects. This is the only place a mutating request is issued, and read-only mode
//! is checked here, once, for every effect.

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::app::{Action, Effect, ErrorInfo};
use crate::audit_log::AuditLog;
use crate::drafts::DraftStore;

use super::backend::{Backend, Backends};

/// Whether `effect` may run. Every mutating effect is refused in read-only mode.
pub fn admit(effect: &Effect, read_only: bool) -> Result<(), ErrorInfo> {
    if read_only && effect.is_mutating() {
        let what = match effect {
            Effect::Mutate { mutation, .. } => mutation.describe(),
            _ => "change data".to_string(),
        };
        let line = format!("read-only: refused to {what}");
        return Err(ErrorInfo::new(
            line.clone(),
            format!("{line}\nidtui was started with --read-only; no mutating request is sent."),
        ));
    }
    Ok(())
}

/// Start the network part of an effect; the result comes back as an `Action` on `tx`.
/// Copy, external edit, suspend and quit are left to the caller, which owns the terminal,
/// and drafts to its `DraftWriter`. For a read, returns its seq and a handle that cancels
/// it (the caller cancels reads nobody waits for any more).
pub fn spawn(
    effect: Effect,
    backends: &Backends,
    drafts: &DraftStore,
    audit: &AuditLog,
    read_only: bool,
    tx: &UnboundedSender<Action>,
) -> Option<(u64, AbortHandle)> {
    if let Err(refused) = admit(&effect, read_only) {
        let seq = match &effect {
            Effect::Mutate { seq, .. } => Some(*seq),
            _ => None,
        };
        let _ = tx.send(match seq {
            Some(seq) => Action::MutationDone {
                seq,
                result: Err(refused),
            },
            None => Action::EffectFailed(refused),
        });
        return None;
    }
    let tx = tx.clone();
    match effect {
        // `:audit` pages come from the local file, whatever the profile.
        Effect::FetchPage {
            ticket,
            list: crate::app::ListKind::Audit,
            cursor,
            size,
            ..
        } => super::audit_pages::spawn_page(audit.clone(), ticket, cursor, size, tx),
        Effect::FetchPage {
            ticket,
            profile,
            list,
            search,
            cursor,
            size,
        } => {
            let seq = ticket.seq;
            return request(
                backends,
                &profile,
                tx,
                |b| b.list(list, search, cursor, size),
                move |result| Action::PageLoaded { ticket, result },
            )
            .map(|h| (seq, h));
        }
        Effect::FetchObject {
            ticket,
            profile,
            kind,
            id,
        } => {
            let seq = ticket.seq;
            return request(
                backends,
                &profile,
                tx,
                |b| b.get(kind, id),
                move |result| Action::ObjectLoaded { ticket, result },
            )
            .map(|h| (seq, h));
        }
        Effect::Find {
            ticket,
            profile,
            text,
        } => {
            request(
                backends,
                &profile,
                tx,
                |b| b.find(text),
                move |result| Action::Found { ticket, result },
            );
        }
        Effect::ReadVersion { profile } => {
            let about = profile.clone();
            request(
                backends,
                &profile,
                tx,
                |b| b.version(),
                move |result| Action::VersionRead {
                    profile: about,
                    result,
                },
            );
        }
        // A change is never cancelled: once sent, its answer is needed to settle it.
        Effect::Mutate {
            seq,
            profile,
            mutation,
        } => {
            request(
                backends,
                &profile,
                tx,
                |b| b.mutate(mutation),
                move |result| Action::MutationDone { seq, result },
            );
        }
        // Drafts go through the event loop's one ordered `DraftWriter`; a task per request
        // would let an older text land after a newer one.
        Effect::WriteDraft { .. }
        | Effect::LoadDraft { .. }
        | Effect::DiscardDraft { .. }
        | Effect::FlushDrafts => {
            debug_assert!(false, "draft effects belong to the DraftWriter");
            tracing::error!(dir = %drafts.dir().display(), "a draft effect bypassed the draft writer");
        }
        Effect::Audit(entry) => {
            // Written here, in the loop, in the order the app emitted them: a `sent` line
            // can never land after its outcome. A line is one small append (no fsync).
            if let Err(e) = write_audit(backends, audit, entry) {
                let line = format!("audit trail not written: {e}");
                let _ = tx.send(Action::EffectFailed(ErrorInfo::new(line.clone(), line)));
            }
        }
        // An export is a read: stopped (its partial file removed) once nobody awaits it.
        Effect::Export(job) => return super::export::spawn(job, backends, audit, &tx),
        // Run by the event loop itself, which owns the terminal.
        Effect::Copy { .. }
        | Effect::ExternalEdit { .. }
        | Effect::Journal { .. }
        | Effect::RememberCommand(_)
        | Effect::SaveColumns(_)
        | Effect::Suspend
        | Effect::Quit => {}
    }
    None
}

/// Append `entry` to the audit trail, its request named by the profile's own client (MATTR's
/// path prefix).
pub fn write_audit(
    backends: &Backends,
    audit: &AuditLog,
    mut entry: crate::app::audit::AuditEntry,
) -> std::io::Result<()> {
    if let Ok(backend) = backends.get(&entry.profile) {
        let line = backend.request_line(&entry.mutation);
        (entry.method, entry.path) = (line.method, line.path);
    }
    audit.append(&entry)
}

/// Call the profile's backend and send its answer back as `done(result)` when it comes (at
/// once, as an error, when the profile has no backend). A panic in the call becomes an
/// error answer, so the screen says so and nothing waits for an answer that never comes.
fn request<T: Send + 'static>(
    backends: &Backends,
    profile: &str,
    tx: UnboundedSender<Action>,
    call: impl FnOnce(&dyn Backend) -> BoxFuture<'static, Result<T, ErrorInfo>>,
    done: impl FnOnce(Result<T, ErrorInfo>) -> Action + Send + 'static,
) -> Option<AbortHandle> {
    match backends.get(profile) {
        Ok(b) => {
            let fut = std::panic::AssertUnwindSafe(call(&*b)).catch_unwind();
            let task = tokio::spawn(async move {
                let result = fut
                    .await
                    .unwrap_or_else(|panic| Err(super::backend::panicked(&*panic)));
                let _ = tx.send(done(result));
            });
            Some(task.abort_handle())
        }
        Err(e) => {
            let _ = tx.send(done(Err(e)));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::provider::{core, headless, kratos};
    use crate::app::{
        Courses, FindFor, ListKind, Mutation, ObjectFor, ObjectKind, PageCursor, PageFor, Ticket,
    };

    /// Every mutation, spelled out so that adding a variant breaks this test until it is
    /// listed (the match below has no wildcard).
    fn every_mutation() -> Vec<Mutation> {
        let all = vec![
            Mutation::Kratos(kratos::Change::RevokeSession {
                session: "s".into(),
            }),
            Mutation::Kratos(kratos::Change::RevokeSessions {
                sessions: vec!["s".into()],
            }),
            Mutation::Kratos(kratos::Change::RevokeAllSessions {
                identity: "i".into(),
            }),
            Mutation::Kratos(kratos::Change::DeleteIdentity {
                identity: "i".into(),
            }),
            Mutation::Kratos(kratos::Change::CreateIdentity {
                body: serde_json::json!({}),
            }),
            Mutation::Core(core::Change::DeleteUser { user: "u".into() }),
            Mutation::Headless(headless::Change::DeleteClient { client: "c".into() }),
            Mutation::Headless(headless::Change::DeleteUser {
                user: "u".into(),
                client: None,
                courses: Courses::Ignore,
            }),
            Mutation::Kratos(kratos::Change::DeleteCredential {
                identity: "i".into(),
                kind: "oidc".into(),
                identifier: Some("google:1".into()),
            }),
            Mutation::Kratos(kratos::Change::UpdateIdentity {
                identity: "i".into(),
                body: serde_json::json!({}),
            }),
            Mutation::Kratos(kratos::Change::PatchIdentity {
                identity: "i".into(),
                patch: serde_json::json!([]),
            }),
            Mutation::Core(core::Change::UpdateClaims {
                user: "u".into(),
                claims: serde_json::json!({}),
            }),
            Mutation::Headless(headless::Change::UpdateClientMetadata {
                client: "c".into(),
                metadata: serde_json::json!({}),
            }),
            Mutation::Headless(headless::Change::UpdateUser {
                user: "u".into(),
                client: Some("c".into()),
                body: serde_json::json!({}),
            }),
            Mutation::Kratos(kratos::Change::CreateRecoveryLink {
                identity: "i".into(),
                expires_in: None,
            }),
            Mutation::Kratos(kratos::Change::CreateRecoveryCode {
                identity: "i".into(),
                expires_in: Some("1h".into()),
            }),
            Mutation::Kratos(kratos::Change::SetAddressVerified {
                identity: "i".into(),
                address: "a@b".into(),
                verified: true,
            }),
            Mutation::Kratos(kratos::Change::ExtendSession {
                session: "s".into(),
            }),
        ];
        for m in &all {
            match m {
                Mutation::Kratos(kratos::Change::RevokeSession { .. })
                | Mutation::Kratos(kratos::Change::RevokeSessions { .. })
                | Mutation::Kratos(kratos::Change::RevokeAllSessions { .. })
                | Mutation::Kratos(kratos::Change::DeleteIdentity { .. })
                | Mutation::Kratos(kratos::Change::CreateIdentity { .. })
                | Mutation::Core(core::Change::DeleteUser { .. })
                | Mutation::Headless(headless::Change::DeleteClient { .. })
                | Mutation::Headless(headless::Change::DeleteUser { .. })
                | Mutation::Kratos(kratos::Change::DeleteCredential { .. })
                | Mutation::Kratos(kratos::Change::UpdateIdentity { .. })
                | Mutation::Kratos(kratos::Change::PatchIdentity { .. })
                | Mutation::Core(core::Change::UpdateClaims { .. })
                | Mutation::Headless(headless::Change::UpdateClientMetadata { .. })
                | Mutation::Headless(headless::Change::UpdateUser { .. })
                | Mutation::Kratos(kratos::Change::CreateRecoveryLink { .. })
                | Mutation::Kratos(kratos::Change::CreateRecoveryCode { .. })
                | Mutation::Kratos(kratos::Change::SetAddressVerified { .. })
                | Mutation::Kratos(kratos::Change::ExtendSession { .. }) => {}
            }
        }
        all
    }

    fn every_effect() -> Vec<Effect> {
        let mut all: Vec<Effect> = every_mutation()
            .into_iter()
            .map(|mutation| Effect::Mutate {
                seq: 1,
                profile: "p".into(),
                mutation,
            })
            .collect();
        all.push(Effect::FetchPage {
            ticket: Ticket {
                seq: 1,
                purpose: PageFor::Table { table: 1, page: 0 },
            },
            profile: "p".into(),
            list: ListKind::Kratos(kratos::List::Identities),
            search: None,
            cursor: PageCursor::First,
            size: 10,
        });
        all.push(Effect::FetchObject {
            ticket: Ticket {
                seq: 1,
                purpose: ObjectFor::EditorBase { key: "k".into() },
            },
            profile: "p".into(),
            kind: ObjectKind::Kratos(kratos::Object::Identity),
            id: "x".into(),
        });
        all.push(Effect::Find {
            ticket: Ticket {
                seq: 1,
                purpose: FindFor::Lookup,
            },
            profile: "p".into(),
            text: "x".into(),
        });
        all.push(Effect::Copy {
            text: "x".into(),
            what: "x".into(),
        });
        all.push(Effect::Quit);
        all.push(Effect::Suspend);
        all.push(Effect::WriteDraft {
            key: "k".into(),
            text: "{}".into(),
        });
        all.push(Effect::LoadDraft { key: "k".into() });
        all.push(Effect::FlushDrafts);
        all.push(Effect::Audit(crate::app::audit::AuditEntry::new(
            "p",
            crate::app::Provider::Kratos,
            &Mutation::Kratos(kratos::Change::DeleteIdentity {
                identity: "i".into(),
            }),
            None,
            crate::app::audit::AuditOutcome::Sent,
        )));
        all.push(Effect::DiscardDraft { key: "k".into() });
        all.push(Effect::ExternalEdit {
            key: "k".into(),
            text: "{}".into(),
            prefer_draft: true,
        });
        all.push(Effect::RememberCommand("find ada".into()));
        all.push(Effect::SaveColumns("[kratos]\n".into()));
        all.push(Effect::Export(crate::app::export::job::ExportJob {
            seq: 1,
            target: crate::app::export::job::Target::Clipboard,
            format: crate::app::export::job::Format::Jsonl,
            columns: None,
            source: crate::app::export::job::Source::Rows(Vec::new()),
        }));
        for e in &all {
            match e {
                Effect::Mutate { .. }
                | Effect::FetchPage { .. }
                | Effect::FetchObject { .. }
                | Effect::Find { .. }
                | Effect::ReadVersion { .. }
                | Effect::Copy { .. }
                | Effect::WriteDraft { .. }
                | Effect::LoadDraft { .. }
                | Effect::FlushDrafts
                | Effect::DiscardDraft { .. }
                | Effect::ExternalEdit { .. }
                | Effect::Audit(_)
                | Effect::Journal { .. }
                | Effect::RememberCommand(_)
                | Effect::SaveColumns(_)
                | Effect::Suspend
                | Effect::Quit
                | Effect::Export(_) => {}
            }
        }
        all
    }

    #[test]
    fn read_only_refuses_every_mutating_effect_and_nothing_else() {
        for effect in every_effect() {
            let refused = admit(&effect, true).is_err();
            assert_eq!(refused, effect.is_mutating(), "{effect:?}");
            assert!(admit(&effect, false).is_ok(), "{effect:?}");
        }
        let mutating = every_effect().iter().filter(|e| e.is_mutating()).count();
        assert_eq!(mutating, every_mutation().len());
    }

    #[tokio::test]
    async fn a_refused_mutation_reports_back_without_touching_any_backend() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // No backend is registered: if the gate let it through, the error would say so.
        spawn(
            Effect::Mutate {
                seq: 7,
                profile: "p".into(),
                mutation: Mutation::Kratos(kratos::Change::RevokeSession {
                    session: "s1".into(),
                }),
            },
            &Backends::default(),
            &DraftStore::new(std::env::temp_dir().join("idtui-never-written")),
            &AuditLog::new(std::env::temp_dir().join("idtui-never-written/audit.jsonl")),
            true,
            &tx,
        );
        match rx.recv().await {
            Some(Action::MutationDone {
                seq: 7,
                result: Err(e),
            }) => {
                assert!(e.line.starts_with("read-only"), "{}", e.line);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
