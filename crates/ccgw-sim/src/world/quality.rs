//! Quality control: listening, inserting, whispering, switching, stopping, intercepting,
//! forced agent states, ending calls and skills.

use std::time::Duration;

use serde_json::json;

use super::model::{AgentState, Failure, QcMode, World, fail};
use crate::answers::retcode;
use crate::ids::{is_agent_id, is_call_id};

impl World {
    /// The checks every operation on a target agent shares: syntax, self-inspection,
    /// existence, tenant, permission and sign-in.
    pub(super) fn check_target(&self, inspector: &str, target: &str) -> Result<(), Failure> {
        if !is_agent_id(target) {
            return fail(retcode::BAD_PARAMETER, "the agent ID is not valid");
        }
        if inspector == target {
            return fail(
                retcode::SELF_INSPECTION,
                "an inspector cannot inspect itself",
            );
        }
        let me = self.agents.get(inspector).expect("authorized agents exist");
        if !me.inspector {
            return fail(retcode::NO_PERMISSION, "no quality-control permission");
        }
        let Some(agent) = self.agents.get(target) else {
            return fail(retcode::NOT_SIGNED_IN, "the agent is not signed in");
        };
        if agent.vdn != me.vdn {
            return fail(retcode::OTHER_VDN, "the agent belongs to another VDN");
        }
        if agent.state() == AgentState::SignedOut {
            return fail(retcode::NOT_SIGNED_IN, "the agent is not signed in");
        }
        Ok(())
    }

    /// Starts listening, inserting or whispering.
    pub fn start_qc(&mut self, inspector: &str, target: &str, mode: QcMode) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        if self.agents[inspector].qc.is_some() {
            return fail(
                retcode::QC_STATE,
                "the inspector is already inspecting a call",
            );
        }
        // The reference asks for an inspector signed in and idle; it names no retcode for
        // one who is not, so the simulator answers as for any invalid request.
        if self.agents[inspector].state() != AgentState::Idle
            || self.playbacks.contains_key(inspector)
        {
            return fail(
                retcode::BAD_PARAMETER,
                "the inspector must be signed in and idle to inspect",
            );
        }
        let agent = &self.agents[target];
        if agent.call.is_none() {
            return fail(retcode::CALL_STATE, "the agent is not in a call");
        }
        if agent.inspected_by.is_some() {
            return fail(retcode::ALREADY_INSPECTED, "the agent is already inspected");
        }
        self.agents.get_mut(target).expect("checked").inspected_by = Some(inspector.to_owned());
        let now = self.now();
        let me = self.agents.get_mut(inspector).expect("checked");
        me.qc = Some((target.to_owned(), mode));
        me.set_state(AgentState::Busy, now);
        // The inspector hears of its own phone and state; the inspected agent, if its
        // session polls, that it is inspected and by whom (the reference's cec_07_0542).
        for e in [
            "AgentOther_PhoneAlerting",
            "AgentOther_PhoneOffhook",
            "AgentState_Busy",
        ] {
            self.push_event(inspector, e, inspector, json!({}));
        }
        let content = json!({"qcType": mode.qc_type(), "qcAgentId": inspector});
        self.push_event(target, "AgentOther_BeQcStart", target, content);
        Ok(())
    }

    /// Toggles between listening and inserting.
    pub fn toggle(&mut self, inspector: &str, target: &str) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let next = match self.qc_of(inspector, target) {
            QcMode::Listening => QcMode::Inserting,
            QcMode::Inserting => QcMode::Listening,
            _ => {
                return fail(
                    retcode::QC_STATE,
                    "the inspector is not listening or inserting",
                );
            }
        };
        self.set_qc(inspector, target, next);
        Ok(())
    }

    /// Moves to a named mode: `switchtype` 0 listen, 1 insert, 2 whisper.
    pub fn switch_mode(
        &mut self,
        inspector: &str,
        target: &str,
        switchtype: &str,
    ) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let next = match switchtype {
            "0" => QcMode::Listening,
            "1" => QcMode::Inserting,
            "2" => QcMode::Whispering,
            _ => return fail(retcode::BAD_PARAMETER, "switchtype must be 0, 1 or 2"),
        };
        match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting | QcMode::Whispering => {
                self.set_qc(inspector, target, next);
                Ok(())
            }
            _ => fail(
                retcode::QC_STATE,
                "the inspector is not inspecting this agent",
            ),
        }
    }

    pub(super) fn set_qc(&mut self, inspector: &str, target: &str, mode: QcMode) {
        self.agents.get_mut(inspector).expect("checked").qc = Some((target.to_owned(), mode));
    }

    /// Stops listening/inserting (`whisper` false) or whispering (`whisper` true).
    pub fn stop_qc(&mut self, inspector: &str, target: &str, whisper: bool) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let allowed = match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting => !whisper,
            QcMode::Whispering => whisper,
            _ => false,
        };
        if !allowed {
            let doing = if whisper {
                "whispering to"
            } else {
                "listening to or inserting into"
            };
            return fail(
                retcode::QC_STATE,
                format!("the inspector is not {doing} this agent"),
            );
        }
        self.agents.get_mut(inspector).expect("checked").qc = None;
        self.release_target(target, Some(inspector));
        Ok(())
    }

    /// Ends the inspection of `target` and tells `inspector` (if still signed in).
    pub(super) fn release_target(&mut self, target: &str, inspector: Option<&str>) {
        let by = match self.agents.get_mut(target) {
            Some(agent) => agent.inspected_by.take(),
            None => None,
        };
        let Some(inspector) = inspector.map(str::to_owned).or(by) else {
            return;
        };
        let mut mode = QcMode::Idle;
        let now = self.now();
        if let Some(me) = self.agents.get_mut(&inspector) {
            mode = me.qc.take().map_or(QcMode::Idle, |(_, mode)| mode);
            if me.state() == AgentState::Busy {
                me.set_state(AgentState::Idle, now);
            }
        }
        for e in ["AgentOther_PhoneRelease", "AgentState_Ready"] {
            self.push_event(&inspector, e, &inspector, json!({}));
        }
        let content = json!({"qcType": mode.qc_type(), "qcAgentId": inspector});
        self.push_event(target, "AgentOther_BeQcStop", target, content);
    }

    /// Takes the call over from `target`; with `call`, only if that is the agent's call.
    pub fn intercept(
        &mut self,
        inspector: &str,
        target: &str,
        call: Option<&str>,
    ) -> Result<(), Failure> {
        if call.is_some_and(|c| !is_call_id(c)) {
            return fail(retcode::BAD_PARAMETER, "the call ID is not valid");
        }
        self.check_target(inspector, target)?;
        match self.qc_of(inspector, target) {
            QcMode::Listening | QcMode::Inserting | QcMode::Whispering => {}
            _ => {
                return fail(
                    retcode::QC_STATE,
                    "the inspector is not inspecting this agent",
                );
            }
        }
        let their_call = self.agents[target].call.clone();
        if call.is_some() && call.map(str::to_owned) != their_call {
            return fail(retcode::CALL_STATE, "the agent is not in that call");
        }
        let now = self.now();
        let agent = self.agents.get_mut(target).expect("checked");
        agent.leave_call(now);
        agent.until = None;
        agent.inspected_by = None;
        let me = self.agents.get_mut(inspector).expect("checked");
        me.qc = Some((target.to_owned(), QcMode::Intercepting));
        me.call = their_call.clone();
        me.set_state(AgentState::Talking, now);
        // The reference lists two events for an intercept: the inspector talks, and the
        // call goes on recorded (the event names its file, as the reference's does).
        let call = their_call
            .as_ref()
            .and_then(|id| Some((id, self.calls.get(id)?)));
        let (talking, record) = match call {
            Some((id, call)) => (
                json!({
                    "caller": call.caller, "called": call.called, "callid": id,
                    "type": "main", "feature": 0, "mediaAbility": 1,
                }),
                json!({
                    "taskId": id.rsplit('-').next().unwrap_or_default(),
                    "caller": call.caller, "called": call.called, "callId": id,
                    "fileName": Self::recording_name(call.vdn, &call.agent, id, call.began_at),
                    "locationId": "0",
                    "recordID": id.rsplit('-').next().unwrap_or_default(),
                    "fileMediaType": "1",
                }),
            ),
            None => (
                json!({ "callid": their_call }),
                json!({ "callId": their_call }),
            ),
        };
        self.push_event(inspector, "AgentEvent_Talking", inspector, talking);
        self.push_event(inspector, "AgentMediaEvent_Record", inspector, record);
        if self.config.invented_events {
            // Not in the reference: what older versions of the simulator sent.
            let about = json!({ "inspector": inspector });
            self.push_event(inspector, "AgentOther_BeQcStop", target, about);
            self.push_event(inspector, "AgentState_Ready", target, json!({}));
        }
        Ok(())
    }

    /// Forces `target` into a working state (telling nobody: the reference lists no
    /// event, unless the simulator invents them as it once did).
    pub fn force_state(
        &mut self,
        inspector: &str,
        target: &str,
        state: AgentState,
    ) -> Result<(), Failure> {
        self.check_target(inspector, target)?;
        let event = match state {
            AgentState::Busy => "AgentState_Busy",
            AgentState::Idle => "AgentState_Ready",
            AgentState::Rest { .. } => "AgentState_Rest",
            AgentState::SignedOut => "AgentState_SignOut",
            AgentState::Talking | AgentState::WrapUp => unreachable!("not forced"),
        };
        if state == AgentState::SignedOut {
            if self.agents[target].inspected_by.is_some() {
                self.release_target(target, None);
            }
            self.end_session(target);
            self.leave_call(target);
        }
        let now = self.now();
        let agent = self.agents.get_mut(target).expect("checked");
        agent.set_state(state, now);
        // A forced state holds until forced otherwise; a call goes on to its end.
        if agent.call.is_none() {
            agent.until = None;
        }
        // The reference lists no event for a forced state; older simulators told the
        // inspector, in names no gateway is known to send.
        if self.config.invented_events {
            self.push_event(inspector, event, target, json!({}));
        }
        Ok(())
    }

    /// Validates the rest parameters and forces `target` to rest.
    pub fn force_rest(
        &mut self,
        inspector: &str,
        target: &str,
        time: &str,
        reason: &str,
    ) -> Result<(), Failure> {
        let seconds = time.parse::<u32>().ok().filter(|t| (1..=86399).contains(t));
        let reason = reason.parse::<u8>().ok().filter(|r| *r >= 1);
        match (seconds, reason) {
            (Some(seconds), Some(reason)) => {
                self.force_state(inspector, target, AgentState::Rest { reason })?;
                // On a living floor the rest ends after its time (after the call, if any).
                let now = self.now();
                let agent = self.agents.get_mut(target).expect("checked");
                if self.traffic.is_some() && agent.call.is_none() {
                    agent.until = Some(now + Duration::from_secs(seconds.into()));
                }
                Ok(())
            }
            _ => fail(
                retcode::BAD_PARAMETER,
                "time must be 1..86399 and reason 1..255",
            ),
        }
    }

    /// Ends a call of the inspector's VDN for every party on it.
    pub fn release_call(&mut self, inspector: &str, call: &str) -> Result<(), Failure> {
        if !is_call_id(call) {
            return fail(retcode::BAD_PARAMETER, "the call ID is not valid");
        }
        if !self.agents[inspector].inspector {
            return fail(retcode::NO_PERMISSION, "no quality-control permission");
        }
        let vdn = self.agents[inspector].vdn;
        let parties: Vec<String> = self
            .agents
            .iter()
            .filter(|(_, a)| a.vdn == vdn && a.call.as_deref() == Some(call))
            .map(|(id, _)| id.clone())
            .collect();
        if parties.is_empty() {
            if self
                .agents
                .values()
                .any(|a| a.call.as_deref() == Some(call))
            {
                return fail(retcode::CALL_STATE, "no such call in this VDN");
            }
            // The call ended: real gateways' words, spelling included.
            return fail(retcode::NO_CALL_TO_DROP, "no call can be droped");
        }
        for party in parties {
            if self.agents[&party].inspected_by.is_some() {
                self.release_target(&party, None);
            }
            self.leave_call(&party);
            let agent = self.agents.get_mut(&party).expect("listed");
            if matches!(agent.qc, Some((_, QcMode::Intercepting))) {
                agent.qc = None;
            }
            // The reference lists no event for a dropped call.
            if self.config.invented_events {
                let content = json!({ "callId": call });
                self.push_event(inspector, "AgentOther_PhoneRelease", &party, content);
            }
        }
        Ok(())
    }

    /// Replaces the skills of `target`.
    pub fn adjust_skills(
        &mut self,
        inspector: &str,
        target: &str,
        skills: Vec<i32>,
    ) -> Result<(), Failure> {
        if skills.is_empty() || skills.len() > 1000 {
            return fail(
                retcode::INVALID_SIGN_IN_PARAMETER,
                "skills must list 1 to 1000 IDs",
            );
        }
        self.check_target(inspector, target)?;
        self.agents.get_mut(target).expect("checked").skills = skills;
        Ok(())
    }
}
