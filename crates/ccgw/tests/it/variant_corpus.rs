//! The variant corpus: for every operation of the document, every form a real gateway may
//! send its answer in (made from the document by `ccgw_codegen::variants::variants`:
//! numbers as text and text as numbers, `null` or `""` for an object, one object for a
//! list, optional fields missing, undocumented fields added, NUL padding, GBK), served by
//! the simulator's shapes profile. Each is read, or fails with a typed error that names
//! the field; no event the gateway handed out is lost.

use std::time::Duration;

use ccgw::{Client, ErrorKind, ForceLogin, Mode, Recording, SignIn, Skills};
use ccgw_codegen::variants::Variant;
use ccgw_sim::shapes::ShapeProfile;
use ccgw_sim::{DEFAULT_PASSWORD, Simulator};
use futures::StreamExt;

use crate::common::{agent, quick, skill};

/// Signs inspector 101 in (event polls only when `polls`).
async fn signed_in(client: &Client, polls: bool) -> Result<ccgw::Session, ccgw::Error> {
    let request = SignIn::new(agent("101"), DEFAULT_PASSWORD).poll_events(polls);
    client.sign_in(request).await
}

/// Sends `operation` as a user of the SDK would, with what it needs done first.
async fn drive(
    operation: &str,
    sim: &ccgw_sim::RunningSim,
    client: &Client,
) -> Result<(), ccgw::Error> {
    let a = agent("1001");
    let call_of = |id: &str| ccgw::CallId::parse(&sim.call_of(id).unwrap()).unwrap();
    if operation == "signIn" {
        return signed_in(client, false).await.map(|_| ());
    }
    if operation == "forceSignIn" {
        let request = SignIn::new(agent("101"), DEFAULT_PASSWORD)
            .poll_events(false)
            .force(ForceLogin::Always);
        return client.sign_in(request).await.map(|_| ());
    }
    // A playback waits for its events: only those operations poll.
    let polls = operation.contains("Playback") || operation == "playRecording";
    let s = signed_in(client, polls)
        .await
        .expect("the sign-in is not under test");
    let recording = || Recording::new(sim.recording_of("1002").unwrap()).unwrap();
    let outcome = match operation {
        "signOut" => return s.sign_out().await,
        "listen" => s.listen(&a).await,
        "insert" => s.insert(&a).await,
        "requestWhisper" => s.whisper(&a).await,
        "intercept" => {
            async {
                s.listen(&a).await?;
                s.intercept(&a).await
            }
            .await
        }
        "interceptCall" => {
            let call = call_of("1001");
            async {
                s.listen(&a).await?;
                s.intercept_call(&a, &call).await
            }
            .await
        }
        "stopListenOrInsert" => {
            async {
                s.listen(&a).await?;
                s.stop(&a).await
            }
            .await
        }
        "stopWhisper" => {
            async {
                s.whisper(&a).await?;
                s.stop_whisper(&a).await
            }
            .await
        }
        "switchListenInsert" => {
            async {
                s.listen(&a).await?;
                s.switch_listen_insert(&a).await
            }
            .await
        }
        "switchMode" => {
            async {
                s.listen(&a).await?;
                s.set_mode(&a, Mode::Insert).await
            }
            .await
        }
        "forceBusy" => s.force_busy(&a).await,
        "forceIdle" => s.force_idle(&a).await,
        "forceRest" => s.force_rest(&a, 60, 1).await,
        "forceSignOut" => s.force_sign_out(&agent("1003")).await,
        "forceReleaseCall" => s.force_release_call(&call_of("1004")).await,
        "adjustSkills" => {
            s.adjust_skills(&a, &Skills::new(vec![skill(1), skill(2)]).unwrap())
                .await
        }
        "getAgentStatus" => s.own_state().await.map(|_| ()),
        "queryAgentInfoByWorkNo" => s.agent(&a).await.map(|_| ()),
        "queryAgentInfoBySkillId" => s.agents_in_skill(skill(1), None).await.map(|_| ()),
        "queryAllOnlineAgents" => s.online_agents().await.map(|_| ()),
        "queryAgentInfoByList" => s.agents_by_id(std::slice::from_ref(&a)).await.map(|_| ()),
        "queryAllCallInfoByAgentWorkNoEx" => s.call_ids(&a).await.map(|_| ()),
        "queryCallInfoByCallId" => s.call(&call_of("1001")).await.map(|_| ()),
        "queryCallInfo" => s.own_call(false).await.map(|_| ()),
        "queryHoldListInfoEx" => s.held_calls(&a).await.map(|_| ()),
        "queryWaitCallInfoBySkillId" => s.waiting_calls(skill(1)).await.map(|_| ()),
        "queryQueueLengthBySkillId" => s.queue_length(skill(1)).await.map(|_| ()),
        "queryStatInfoOfAcd" => s.queue_stats(&[skill(1)]).await.map(|_| ()),
        "querySkillQueueOnAgentVDN" => s.skill_queues().await.map(|_| ()),
        "queryAgentSkillsByWorkNo" => s.agent_skills(&a).await.map(|_| ()),
        "playRecording" => s.play(&recording()).await.map(|_| ()),
        "pausePlayback" => async { s.play(&recording()).await?.pause().await }.await,
        "resumePlayback" => {
            async {
                let p = s.play(&recording()).await?;
                p.pause().await?;
                p.resume().await
            }
            .await
        }
        "forwardPlayback" => async { s.play(&recording()).await?.forward(5).await }.await,
        "rewindPlayback" => async { s.play(&recording()).await?.rewind(5).await }.await,
        "stopPlayback" => async { s.play(&recording()).await?.stop().await.map(|_| ()) }.await,
        "queryRecordingsByCallId" => s.recordings_of_call(&a, &call_of("1001")).await.map(|_| ()),
        "downloadRecording" => {
            let dir = tempfile::tempdir().unwrap();
            s.download_recording(&recording(), dir.path().join("r.v3"))
                .await
                .map(|_| ())
        }
        other => panic!("no driver for {other}"),
    };
    let _ = s.sign_out().await;
    outcome
}

/// Whether an event the gateway handed out reaches the session: `None` when the variant
/// leaves no event to hand out.
async fn event_arrives(sim: &ccgw_sim::RunningSim, client: &Client, variant: &str) -> Option<bool> {
    let no_event = variant.contains(r#""path":"event""#)
        && (variant.contains("missing") || variant.contains(r#""seen":"null""#));
    let s = signed_in(client, true)
        .await
        .expect("the sign-in is not under test");
    let mut events = s.events();
    assert!(sim.tell("101", "AgentState_SetNotReady_Success"));
    let arrived = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(event) = events.next().await {
            if event.is_from_gateway() {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    let _ = s.sign_out().await;
    (!no_event).then_some(arrived)
}

/// How one variant fared.
enum Outcome {
    Read,
    /// A typed error that names the field.
    Typed,
    /// The gateway handed out an event and the session never delivered it.
    Lost(String),
    /// Neither read nor a typed error naming the field.
    Unexplained(String),
}

/// `operation` against a simulator that answers it in `variant`.
async fn try_variant(operation: &'static str, variant: Variant) -> Outcome {
    let words = variant.words();
    let profile = ShapeProfile::from_report(&variant.report(operation).to_string()).unwrap();
    let sim = Simulator::start(quick().shapes(profile)).await.unwrap();
    let client = Client::builder(sim.base_url())
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    if operation == "pollEvent" {
        return match event_arrives(&sim, &client, &words).await {
            Some(false) => Outcome::Lost(format!("pollEvent {words}: the event was lost")),
            _ => Outcome::Read,
        };
    }
    match drive(operation, &sim, &client).await {
        Ok(()) => Outcome::Read,
        Err(e) if e.kind() == ErrorKind::MalformedAnswer => {
            // The field is the path's last name: `result[].status` names `status`.
            let field = (words.split(r#""path":""#).nth(1))
                .and_then(|p| p.split('"').next())
                .and_then(|p| p.rsplit('.').next())
                .map(|f| f.trim_end_matches("[]").to_owned())
                .unwrap_or_default();
            if e.to_string().contains(&field) {
                Outcome::Typed
            } else {
                Outcome::Unexplained(format!("{operation} {words}: names no field: {e}"))
            }
        }
        Err(e) => Outcome::Unexplained(format!("{operation} {words}: {e}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_reads_every_variant_or_names_the_field_and_loses_no_event() {
    let document = ccgw_codegen::parse(ccgw_api::DOCUMENT).unwrap();
    let mut jobs = Vec::new();
    for op in ccgw_api::operations::ALL {
        for variant in ccgw_codegen::variants::variants(&document, op.id).unwrap() {
            jobs.push((op.id, variant));
        }
    }
    let tried = jobs.len();
    // Each variant has a simulator of its own: several at once.
    let outcomes: Vec<Outcome> = futures::stream::iter(jobs)
        .map(|(op, variant)| try_variant(op, variant))
        .buffer_unordered(12)
        .collect()
        .await;
    let read = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Read))
        .count();
    let typed = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Typed))
        .count();
    let mut wrong = Vec::new();
    let mut lost = 0;
    for outcome in outcomes {
        match outcome {
            Outcome::Lost(why) => {
                lost += 1;
                wrong.push(why);
            }
            Outcome::Unexplained(why) => wrong.push(why),
            _ => {}
        }
    }
    println!(
        "variant corpus: {tried} variants tried, {read} read, {typed} typed errors naming the \
         field, {lost} events lost"
    );
    assert!(tried > 300, "the corpus covers the document: {tried}");
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(lost, 0);
}
