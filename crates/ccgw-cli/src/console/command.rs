//! One console line, parsed and checked before anything is sent.

use ccgw::{AgentId, CallId, Edition, Mode, SkillId, Skills};

/// A command that talks to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    Listen(AgentId),
    Insert(AgentId),
    Whisper(AgentId),
    Switch(AgentId),
    Mode(AgentId, Mode),
    Stop(AgentId),
    StopWhisper(AgentId),
    Intercept(AgentId, Option<CallId>),
    ForceBusy(AgentId),
    ForceIdle(AgentId),
    ForceRest(AgentId, u32, u8),
    ForceLogout(AgentId),
    DropCall(CallId),
    AdjustSkill(AgentId, Skills),
}

impl Remote {
    /// For the commands that cannot be undone: the question a person confirms first.
    pub fn confirmation(&self) -> Option<String> {
        match self {
            Remote::ForceLogout(a) => Some(format!("force agent {a} to sign out?")),
            Remote::DropCall(call) => Some(format!("end call {call} for every party?")),
            Remote::Intercept(a, _) => Some(format!("take agent {a}'s customer over?")),
            Remote::ForceRest(a, seconds, _) => {
                Some(format!("force agent {a} to rest for {seconds} s?"))
            }
            _ => None,
        }
    }

    /// The agent the command is about, if any.
    pub fn work_no(&self) -> Option<&AgentId> {
        match self {
            Remote::Listen(a)
            | Remote::Insert(a)
            | Remote::Whisper(a)
            | Remote::Switch(a)
            | Remote::Mode(a, _)
            | Remote::Stop(a)
            | Remote::StopWhisper(a)
            | Remote::Intercept(a, _)
            | Remote::ForceBusy(a)
            | Remote::ForceIdle(a)
            | Remote::ForceRest(a, _, _)
            | Remote::ForceLogout(a)
            | Remote::AdjustSkill(a, _) => Some(a),
            Remote::DropCall(_) => None,
        }
    }
}

/// A command that only asks the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// One agent's state.
    Agent(AgentId),
    /// The agents of a skill queue, or all online agents.
    Agents(Option<SkillId>),
    /// An agent's call IDs.
    Calls(AgentId),
    /// The recordings of an agent's call.
    Recordings(AgentId, CallId),
    /// How skill queues fare: these, or every queue of the VDN.
    Queues(Vec<SkillId>),
    /// The inspector's own state.
    Status,
}

impl Ask {
    /// The agent the question is about, if any.
    pub fn work_no(&self) -> Option<&AgentId> {
        match self {
            Ask::Agent(a) | Ask::Calls(a) | Ask::Recordings(a, _) => Some(a),
            Ask::Agents(_) | Ask::Queues(_) | Ask::Status => None,
        }
    }
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Blank or a `#` comment.
    Nothing,
    Help,
    Events,
    Quit,
    /// Sign in again after the gateway ended the session.
    SignIn,
    /// List the inspections the session tracks.
    Inspections,
    /// A gateway command, with the word it was called by.
    Remote(&'static str, Remote),
    /// A question to the gateway, with the word it was called by.
    Ask(&'static str, Ask),
    /// Post-call review of a recording, with the word it was called by.
    Review(&'static str, super::review::Review),
}

/// A line that cannot be run, with what is known of it for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub command: String,
    /// The first argument as typed (it may be no agent ID at all), cut to 40 characters.
    pub argument: Option<String>,
    pub reason: String,
}

/// The commands and their arguments, for `help`.
pub const USAGE: &[(&str, &str)] = &[
    ("listen W", "listen silently to agent W's call"),
    ("insert W", "barge into agent W's call"),
    (
        "whisper W",
        "whisper to agent W (the customer does not hear)",
    ),
    (
        "switch W",
        "toggle between listening and inserting (never retried)",
    ),
    (
        "mode W listen|insert|whisper",
        "reach a mode safely (explicit switch)",
    ),
    ("stop W", "stop listening to or inserting into W's call"),
    ("stop-whisper W", "stop whispering to W"),
    ("intercept W [CALLID]", "take the customer over from W"),
    ("force-busy W", "force W busy"),
    ("force-idle W", "force W idle"),
    (
        "force-rest W SECONDS REASON",
        "force W to rest (1-86399 s, reason 1-255)",
    ),
    ("force-logout W", "force W to sign out"),
    ("drop-call CALLID", "release a call for every party"),
    (
        "adjust-skill W SKILL[,SKILL...]",
        "replace W's skill queues (at most 1000)",
    ),
    ("agent W", "show agent W's state and time in it"),
    (
        "agents [SKILL]",
        "list a skill queue's agents, or all online agents",
    ),
    ("calls W", "list the IDs of agent W's calls"),
    (
        "recordings W CALLID",
        "find the recordings of W's call CALLID (to download or play)",
    ),
    (
        "queues [SKILL...]",
        "show how skill queues fare: waiting, longest wait, available agents",
    ),
    ("status", "show the inspector's own state"),
    (
        "inspections",
        "list the agents this session inspects, and how",
    ),
    (
        "signin",
        "sign in again after the gateway ended the session",
    ),
    ("events", "wait for events still arriving and print them"),
    ("help", "show this list"),
    ("quit", "sign out and exit"),
];

/// Parses one line for a gateway of `edition`.
pub fn parse(line: &str, edition: Edition) -> Result<Line, Rejected> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&name, args)) = words.split_first() else {
        return Ok(Line::Nothing);
    };
    if name.starts_with('#') {
        return Ok(Line::Nothing);
    }
    let reject = |reason: String| Rejected {
        command: name.chars().take(40).collect(),
        argument: args.first().map(|w| w.chars().take(40).collect()),
        reason,
    };
    let agent = |i: usize| -> Result<AgentId, Rejected> {
        let text = args
            .get(i)
            .ok_or_else(|| reject(format!("{name} needs an agent ID")))?;
        AgentId::parse_for(edition, text).map_err(|e| reject(e.to_string()))
    };
    let arity = |min: usize, max: usize| -> Result<(), Rejected> {
        if (min..=max).contains(&args.len()) {
            Ok(())
        } else {
            let usage = USAGE
                .iter()
                .find(|(u, _)| u.split(' ').next() == Some(name))
                .map_or(name, |(u, _)| u);
            Err(reject(format!("usage: {usage}")))
        }
    };
    let call = |i: usize| -> Result<CallId, Rejected> {
        CallId::parse(args[i]).map_err(|e| reject(e.to_string()))
    };
    let remote = |word: &'static str, r: Remote| Ok(Line::Remote(word, r));
    match name {
        "help" => Ok(Line::Help),
        "events" => Ok(Line::Events),
        "status" => arity(0, 0).map(|_| Line::Ask("status", Ask::Status)),
        "agent" => arity(1, 1).and_then(|_| Ok(Line::Ask("agent", Ask::Agent(agent(0)?)))),
        "calls" => arity(1, 1).and_then(|_| Ok(Line::Ask("calls", Ask::Calls(agent(0)?)))),
        "recordings" => arity(2, 2).and_then(|_| {
            Ok(Line::Ask(
                "recordings",
                Ask::Recordings(agent(0)?, call(1)?),
            ))
        }),
        "agents" => {
            arity(0, 1)?;
            let skill = match args.first() {
                Some(text) => Some(
                    text.parse::<SkillId>()
                        .map_err(|e| reject(format!("SKILL: {e}")))?,
                ),
                None => None,
            };
            Ok(Line::Ask("agents", Ask::Agents(skill)))
        }
        "queues" => {
            let skills = args
                .iter()
                .map(|text| text.parse::<SkillId>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| reject(format!("each SKILL: {e}")))?;
            Ok(Line::Ask("queues", Ask::Queues(skills)))
        }
        "quit" | "exit" => Ok(Line::Quit),
        "signin" => arity(0, 0).map(|_| Line::SignIn),
        "inspections" => arity(0, 0).map(|_| Line::Inspections),
        "listen" => arity(1, 1).and_then(|_| remote("listen", Remote::Listen(agent(0)?))),
        "insert" => arity(1, 1).and_then(|_| remote("insert", Remote::Insert(agent(0)?))),
        "whisper" => arity(1, 1).and_then(|_| remote("whisper", Remote::Whisper(agent(0)?))),
        "switch" => arity(1, 1).and_then(|_| remote("switch", Remote::Switch(agent(0)?))),
        "stop" => arity(1, 1).and_then(|_| remote("stop", Remote::Stop(agent(0)?))),
        "stop-whisper" => {
            arity(1, 1).and_then(|_| remote("stop-whisper", Remote::StopWhisper(agent(0)?)))
        }
        "force-busy" => {
            arity(1, 1).and_then(|_| remote("force-busy", Remote::ForceBusy(agent(0)?)))
        }
        "force-idle" => {
            arity(1, 1).and_then(|_| remote("force-idle", Remote::ForceIdle(agent(0)?)))
        }
        "force-logout" => {
            arity(1, 1).and_then(|_| remote("force-logout", Remote::ForceLogout(agent(0)?)))
        }
        "mode" => {
            arity(2, 2)?;
            let mode = match args[1] {
                "listen" => Mode::Listen,
                "insert" => Mode::Insert,
                "whisper" => Mode::Whisper,
                other => {
                    return Err(reject(format!(
                        "unknown mode {other:?}: use listen, insert or whisper"
                    )));
                }
            };
            remote("mode", Remote::Mode(agent(0)?, mode))
        }
        "intercept" => {
            arity(1, 2)?;
            let call = if args.len() == 2 {
                Some(call(1)?)
            } else {
                None
            };
            remote("intercept", Remote::Intercept(agent(0)?, call))
        }
        "force-rest" => {
            arity(3, 3)?;
            let seconds = args[1]
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=86_399).contains(s))
                .ok_or_else(|| reject("SECONDS must be 1 to 86399".into()))?;
            let reason = args[2]
                .parse::<u8>()
                .ok()
                .filter(|r| *r >= 1)
                .ok_or_else(|| reject("REASON must be 1 to 255".into()))?;
            remote("force-rest", Remote::ForceRest(agent(0)?, seconds, reason))
        }
        "drop-call" => {
            arity(1, 1)?;
            remote("drop-call", Remote::DropCall(call(0)?))
        }
        "adjust-skill" => {
            arity(2, 2)?;
            let skills: Skills = args[1]
                .parse()
                .map_err(|e: ccgw::Error| reject(e.to_string()))?;
            remote("adjust-skill", Remote::AdjustSkill(agent(0)?, skills))
        }
        _ if let Some(review) = super::review::parse(name, args) => review,
        _ => Err(reject(format!(
            "unknown command {:?}; type help",
            name.chars().take(40).collect::<String>()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Line {
        parse(line, Edition::Classic).unwrap()
    }

    fn err(line: &str) -> Rejected {
        parse(line, Edition::Classic).unwrap_err()
    }

    #[test]
    fn parses_every_command() {
        let a: AgentId = "1001".parse().unwrap();
        assert_eq!(
            ok("listen 1001"),
            Line::Remote("listen", Remote::Listen(a.clone()))
        );
        assert_eq!(
            ok("  mode 1001 whisper "),
            Line::Remote("mode", Remote::Mode(a.clone(), Mode::Whisper))
        );
        assert_eq!(
            ok("force-rest 1001 60 3"),
            Line::Remote("force-rest", Remote::ForceRest(a.clone(), 60, 3))
        );
        assert!(matches!(
            ok("intercept 1001 1-2"),
            Line::Remote("intercept", Remote::Intercept(_, Some(_)))
        ));
        assert!(matches!(
            ok("adjust-skill 1001 1,2,3"),
            Line::Remote("adjust-skill", Remote::AdjustSkill(..))
        ));
        assert!(matches!(
            ok("drop-call 17-1"),
            Line::Remote("drop-call", Remote::DropCall(_))
        ));
        assert_eq!(ok("agent 1001"), Line::Ask("agent", Ask::Agent(a.clone())));
        assert_eq!(ok("agents"), Line::Ask("agents", Ask::Agents(None)));
        assert_eq!(
            ok("agents 2"),
            Line::Ask("agents", Ask::Agents(Some(SkillId::new(2).unwrap())))
        );
        assert_eq!(ok("queues"), Line::Ask("queues", Ask::Queues(vec![])));
        assert_eq!(
            ok("queues 1 20"),
            Line::Ask(
                "queues",
                Ask::Queues(vec![SkillId::new(1).unwrap(), SkillId::new(20).unwrap()])
            )
        );
        assert!(err("queues 1 x").reason.contains("SKILL"));
        assert_eq!(ok("calls 1001"), Line::Ask("calls", Ask::Calls(a.clone())));
        let call = CallId::parse("1700000000-1").unwrap();
        let recordings = Ask::Recordings(a.clone(), call);
        assert_eq!(
            ok("recordings 1001 1700000000-1"),
            Line::Ask("recordings", recordings)
        );
        assert!(err("recordings 1001").reason.contains("usage"));
        assert!(err("recordings 1001 17").reason.contains("call ID"));
        assert_eq!(ok("status"), Line::Ask("status", Ask::Status));
        for (line, expected) in [
            ("help", Line::Help),
            ("events", Line::Events),
            ("quit", Line::Quit),
            ("signin", Line::SignIn),
            ("inspections", Line::Inspections),
            ("", Line::Nothing),
            ("# note", Line::Nothing),
        ] {
            assert_eq!(ok(line), expected);
        }
    }

    #[test]
    fn rejects_bad_input_with_a_reason() {
        assert!(err("listen 99").reason.contains("out of range"));
        assert!(
            err("listen 60000").reason.contains("out of range"),
            "classic edition"
        );
        assert!(parse("listen 60000", Edition::Newest).is_ok());
        assert!(err("listen 10a1").reason.contains("digits"));
        assert!(err("listen").reason.contains("usage"));
        assert!(err("listen 1001 1002").reason.contains("usage"));
        assert!(err("mode 1001 shout").reason.contains("unknown mode"));
        assert!(err("force-rest 1001 0 1").reason.contains("SECONDS"));
        assert!(err("force-rest 1001 60 256").reason.contains("REASON"));
        assert!(
            err("adjust-skill 1001 a,b")
                .reason
                .contains("must be a number")
        );
        assert!(err("drop-call nope").reason.contains("call ID"));
        assert!(err("agent 99").reason.contains("out of range"));
        assert!(err("agents x").reason.contains("SKILL"));
        assert!(err("agents -1").reason.contains("SKILL"));
        assert!(err("calls").reason.contains("usage"));
        assert!(err("status now").reason.contains("usage"));
        let unknown = err("dance 1001");
        assert_eq!(
            (unknown.command.as_str(), unknown.argument.as_deref()),
            ("dance", Some("1001"))
        );
    }
}
