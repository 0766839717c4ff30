//! What the screen does with a change the lifecycle reports (`settle::Report`): the
//! editor it came from learns how it ended, the status bar says so (`confirm::finished`), and
//! a recovery link or code it issued is shown once.

use super::action::Effect;
use super::settle::Report;
use super::state::{IssuedView, State};

pub fn reported(state: &mut State, report: Report, effects: &mut Vec<Effect>) {
    let Some(report) = super::bulk::reported(state, report, effects) else {
        return;
    };
    match report {
        Report::Unknown { change, why } => super::editing::outcome_unknown(state, &change, &why),
        Report::Settled(settled) => {
            let settled = *settled;
            if let Some(theirs) = settled.server_version {
                super::editing::show_server_version(state, &settled.change, theirs);
            }
            let issued = settled.issued.map(|issued| IssuedView {
                subject: settled
                    .change
                    .subject
                    .clone()
                    .unwrap_or_else(|| settled.change.mutation.describe()),
                what: super::change::flow::issued_kind(&settled.change),
                issued,
            });
            super::confirm::finished(state, &settled.change, &settled.outcome, effects);
            if let Some(view) = issued {
                super::issued::show(state, view);
            }
        }
    }
}
