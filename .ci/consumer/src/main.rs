//! Signs in to the simulator and switches a mode, through the packaged crates.

use ccgw::{Client, Mode, SignIn, TrackedMode};
use ccgw_sim::{DEFAULT_PASSWORD, QcMode, SimConfig, Simulator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let client = Client::builder(sim.base_url()).build()?;
    let session = client
        .sign_in(SignIn::new(client.agent_id("101")?, DEFAULT_PASSWORD))
        .await?;
    let agent = client.agent_id("1001")?;
    session.listen(&agent).await?;
    session.set_mode(&agent, Mode::Whisper).await?;
    assert_eq!(session.mode_of(&agent), TrackedMode::Whispering);
    assert_eq!(sim.mode_of("101", "1001"), QcMode::Whispering);
    session.sign_out().await?;
    println!("consumer: signed in, switched to whispering and signed out, from packaged crates");
    Ok(())
}
