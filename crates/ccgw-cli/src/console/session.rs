//! The console's session: running one line at a time, printing events as they arrive,
//! signing in again when asked, and signing out on the way out.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ccgw::{Client, Session, SignIn, TrackedMode};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::ask;
use super::command::{self, Line, Rejected, Remote};
use super::editor::KnownAgents;
use super::input::Source;
use super::output::{Output, Report, Target};
use super::reading::{Ask, Input};

/// How long a command that found the session gone waits for the event poll to tell
/// whether the gateway ended it or it was signed in again, before the next line is read.
/// The poll held at the gateway then answers at once; the bound covers one that does not.
const END_REPORT_WAIT: Duration = Duration::from_secs(5);

/// Whether to read another line.
pub enum Flow {
    Continue,
    Quit,
}

pub struct Console {
    client: Client,
    /// What to sign in with again after the gateway ended the session.
    request: SignIn,
    session: Session,
    out: Output,
    printed: Arc<AtomicU64>,
    quitting: Arc<AtomicBool>,
    /// Counts the ends and recoveries of the session the printer has reported.
    reported: watch::Sender<u64>,
    printer: JoinHandle<()>,
    all_ok: bool,
    /// Whether the line being run found the session gone (not signed in, or expired).
    found_gone: bool,
    agents: KnownAgents,
    /// The recording playing to the inspector's phone, if any.
    playback: Option<ccgw::Playback>,
}

impl Console {
    /// Signs in and starts printing events.
    pub async fn sign_in(
        client: Client,
        request: SignIn,
        out: Output,
        agents: KnownAgents,
    ) -> Result<Console, ccgw::Error> {
        let session = client.sign_in(request.clone()).await?;
        crate::last_resort::remember(&session);
        let printed = Arc::new(AtomicU64::new(0));
        let quitting = Arc::new(AtomicBool::new(false));
        let (reported, _) = watch::channel(0);
        let printer = tokio::spawn(print_events(
            session.clone(),
            out.clone(),
            printed.clone(),
            quitting.clone(),
            reported.clone(),
        ));
        Ok(Console {
            client,
            request,
            session,
            out,
            printed,
            quitting,
            reported,
            printer,
            all_ok: true,
            found_gone: false,
            agents,
            playback: None,
        })
    }

    /// Runs one line; destructive commands typed at a terminal are confirmed first. A
    /// command that found the session gone returns once the end (or the sign-in again)
    /// is reported, so that a script's next line, `quit` say, never hides it.
    pub async fn run_line(&mut self, line: &str, source: &mut Source) -> Flow {
        let reported_before = *self.reported.borrow();
        self.found_gone = false;
        let flow = self.run_parsed(line, source).await;
        if std::mem::take(&mut self.found_gone) {
            let mut reported = self.reported.subscribe();
            let told = reported.wait_for(|n| *n > reported_before);
            let _ = tokio::time::timeout(END_REPORT_WAIT, told).await;
        }
        flow
    }

    async fn run_parsed(&mut self, line: &str, source: &mut Source) -> Flow {
        let parsed = command::parse(line, self.session.client().edition());
        if let Ok(Line::Remote(_, remote)) = &parsed
            && let Some(agent) = remote.work_no()
        {
            self.remember(agent.as_str());
        }
        if let Ok(Line::Ask(_, question)) = &parsed
            && let Some(agent) = question.work_no()
        {
            self.remember(agent.as_str());
        }
        match parsed {
            Ok(Line::Nothing) => {}
            Ok(Line::Help) => self.out.help(),
            Ok(Line::Quit) => return Flow::Quit,
            Ok(Line::Events) => {
                settle_events(&self.printed).await;
                self.out.local_done("events");
            }
            Ok(Line::SignIn) if !self.session.is_closed() => {
                self.all_ok = false;
                self.out.rejected(&Rejected {
                    command: "signin".into(),
                    argument: None,
                    reason: "the session is still signed in; signin is for after the \
                             gateway ended it"
                        .into(),
                });
            }
            Ok(Line::SignIn) => {
                let outcome = self.sign_in_again().await;
                self.report("signin", Target::None, outcome);
            }
            Ok(Line::Inspections) => {
                let report = inspections_report(&self.session);
                self.report("inspections", Target::None, Ok(report));
            }
            Ok(Line::Review(word, review)) => {
                match super::review::run(&self.session, &mut self.playback, &review).await {
                    Ok(outcome) => self.report(word, Target::None, outcome),
                    Err(reason) => {
                        self.all_ok = false;
                        self.out.rejected(&Rejected {
                            command: word.into(),
                            argument: None,
                            reason: reason.into(),
                        });
                    }
                }
            }
            Ok(Line::Ask(word, question)) => {
                let outcome = ask::ask(&self.session, &question).await;
                let work_no = question.work_no().map(|a| a.to_string());
                let target = work_no.as_deref().map_or(Target::None, Target::Agent);
                let hint = outcome.as_ref().err().and_then(|e| ask::hint(&question, e));
                self.note(&outcome);
                self.out.result_with_hint(word, target, &outcome, hint);
            }
            Ok(Line::Remote(word, remote)) => {
                let call = match &remote {
                    Remote::DropCall(call) => Some(call.to_string()),
                    _ => None,
                };
                let agent = remote.work_no().map(|a| a.to_string());
                let target = match (&call, &agent) {
                    (Some(call), _) => Target::Call(call),
                    (None, Some(agent)) => Target::Agent(agent),
                    (None, None) => Target::None,
                };
                if let Some(question) = remote.confirmation()
                    && !confirmed(source, question).await
                {
                    // The person's decision: reported, not counted as a failure.
                    self.out.declined(word, target);
                    return Flow::Continue;
                }
                let outcome = execute(&self.session, &remote)
                    .await
                    .map(|()| Report::done());
                self.report(word, target, outcome);
            }
            Err(rejected) => {
                self.all_ok = false;
                self.out.rejected(&rejected);
            }
        }
        Flow::Continue
    }

    fn report(&mut self, word: &str, target: Target<'_>, outcome: Result<Report, ccgw::Error>) {
        self.note(&outcome);
        self.out.result(word, target, &outcome);
    }

    /// Counts a failure, and notes one that says the gateway no longer holds the session.
    fn note<T>(&mut self, outcome: &Result<T, ccgw::Error>) {
        self.all_ok &= outcome.is_ok();
        if let Err(e) = outcome {
            self.found_gone |= e.is_not_signed_in() || e.is_auth_expired();
        }
    }

    fn remember(&self, agent: &str) {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        agents.insert(agent.to_owned());
    }

    async fn sign_in_again(&mut self) -> Result<Report, ccgw::Error> {
        let session = self.client.sign_in(self.request.clone()).await?;
        crate::last_resort::remember(&session);
        self.printer.abort();
        self.printer = tokio::spawn(print_events(
            session.clone(),
            self.out.clone(),
            self.printed.clone(),
            self.quitting.clone(),
            self.reported.clone(),
        ));
        self.session = session;
        Ok(Report::done())
    }

    /// Signs out, waiting at most `timeout` for the gateway.
    pub async fn sign_out(&mut self) {
        self.quitting.store(true, Ordering::SeqCst);
        crate::signals::sign_out(&self.session).await;
        let _ = tokio::time::timeout(Duration::from_secs(1), &mut self.printer).await;
    }

    /// 0 when every command succeeded, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        if self.all_ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

async fn confirmed(source: &mut Source, question: String) -> bool {
    match source.next(Ask::Confirm(question)).await {
        Input::Line(answer) => matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"),
        Input::Interrupted | Input::Eof => false,
    }
}

fn inspections_report(session: &Session) -> Report {
    let inspections = session.inspections();
    let listed: Vec<Value> = inspections
        .iter()
        .map(|(agent, mode)| json!({"workNo": agent.as_str(), "mode": command_word(*mode)}))
        .collect();
    let words = inspections
        .iter()
        .map(|(agent, mode)| format!("{agent} {}", command_word(*mode)))
        .collect();
    Report::list("inspections", listed, words, ", ")
}

/// A tracked mode in the words the commands use (`listen 1001` gives `listen`).
fn command_word(mode: TrackedMode) -> &'static str {
    match mode {
        TrackedMode::Listening => "listen",
        TrackedMode::Inserting => "insert",
        TrackedMode::Whispering => "whisper",
        TrackedMode::Intercepting => "intercept",
        TrackedMode::Idle => "idle",
        _ => "unknown",
    }
}

/// Prints events as they arrive. The end of the session is reported only when the
/// gateway ended it, not when the console signed out; `reported` counts each end and
/// each sign-in again once it is printed.
async fn print_events(
    session: Session,
    out: Output,
    printed: Arc<AtomicU64>,
    quitting: Arc<AtomicBool>,
    reported: watch::Sender<u64>,
) {
    let mut events = session.events();
    while let Some(event) = events.next().await {
        let ended = event.event_type() == &ccgw::EventType::SessionEnded;
        if !(ended && quitting.load(Ordering::SeqCst)) {
            out.event(&event);
            printed.fetch_add(1, Ordering::SeqCst);
        }
        if ended {
            if !quitting.load(Ordering::SeqCst) {
                errln!(
                    "the gateway ended the session; commands fail until `signin` signs in again"
                );
            }
            reported.send_modify(|n| *n += 1);
            break;
        }
        if event.event_type() == &ccgw::EventType::SessionRecovered {
            reported.send_modify(|n| *n += 1);
        }
    }
}

/// Waits until events stop arriving for a moment (at most 3 s), so that a script sees
/// the events its commands triggered before going on.
async fn settle_events(printed: &AtomicU64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let before = printed.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(600)).await;
        if printed.load(Ordering::SeqCst) == before || tokio::time::Instant::now() >= deadline {
            return;
        }
    }
}

async fn execute(session: &Session, remote: &Remote) -> Result<(), ccgw::Error> {
    match remote {
        Remote::Listen(a) => session.listen(a).await,
        Remote::Insert(a) => session.insert(a).await,
        Remote::Whisper(a) => session.whisper(a).await,
        Remote::Switch(a) => session.switch_listen_insert(a).await,
        Remote::Mode(a, mode) => session.set_mode(a, *mode).await,
        Remote::Stop(a) => session.stop(a).await,
        Remote::StopWhisper(a) => session.stop_whisper(a).await,
        Remote::Intercept(a, None) => session.intercept(a).await,
        Remote::Intercept(a, Some(call)) => session.intercept_call(a, call).await,
        Remote::ForceBusy(a) => session.force_busy(a).await,
        Remote::ForceIdle(a) => session.force_idle(a).await,
        Remote::ForceRest(a, seconds, reason) => session.force_rest(a, *seconds, *reason).await,
        Remote::ForceLogout(a) => session.force_sign_out(a).await,
        Remote::DropCall(call) => session.force_release_call(call).await,
        Remote::AdjustSkill(a, skills) => session.adjust_skills(a, skills).await,
    }
}
