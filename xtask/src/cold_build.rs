//! `cargo xtask cold-build`: what a consumer pays the first time they build a program on
//! `ccgw`, against a bare HTTP client on reqwest 0.13 with its default features, tokio
//! and serde: the floor any client of this gateway stands on. Both are built in one run on
//! this machine, each from an empty target folder, their sources fetched first and not
//! timed; the figure is the ratio, which a noisy machine shifts less than either time.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The program on `ccgw`: build a client, sign in, listen, sign out.
const CCGW_MAIN: &str = r#"
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = ccgw::Client::builder("https://cc-gateway.example:8043").build()?;
    let me = client.agent_id("101")?;
    let session = client.sign_in(ccgw::SignIn::new(me, "secret")).await?;
    session.listen(&client.agent_id("1001")?).await?;
    session.sign_out().await?;
    Ok(())
}
"#;

/// The same first steps by hand on reqwest: sign in, listen, sign out.
const BARE_MAIN: &str = r#"
#[derive(serde::Serialize)]
struct SignIn<'a> { password: &'a str, phonenum: &'a str }
#[derive(serde::Deserialize)]
struct Answer { retcode: String }

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let http = reqwest::Client::new();
    let base = "https://cc-gateway.example:8043/agentgateway/resource";
    let answer = http.put(format!("{base}/onlineagent/101"))
        .json(&SignIn { password: "secret", phonenum: "88880001" })
        .send().await?;
    let guid = answer.headers().get("set-guid").cloned();
    let body: Answer = answer.json().await?;
    let mut listen = http.put(format!("{base}/qualitycontrol/101/addsupervise/1001"));
    if let Some(guid) = &guid { listen = listen.header("guid", guid) }
    let _: Answer = listen.send().await?.json().await?;
    http.delete(format!("{base}/onlineagent/101/logout")).send().await?;
    println!("{}", body.retcode);
    Ok(())
}
"#;

pub fn cold_build(root: &Path) -> Result<(), String> {
    let scratch = std::env::temp_dir().join(format!("ccgw-cold-build-{}", std::process::id()));
    let result = measure(root, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn measure(root: &Path, scratch: &Path) -> Result<(), String> {
    let ccgw = root.join("crates/ccgw");
    let on_ccgw = format!(
        "ccgw = {{ path = {:?} }}\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }}\n",
        ccgw.display()
    );
    let bare = "reqwest = { version = \"0.13\", features = [\"json\"] }\n\
                tokio = { version = \"1\", features = [\"rt-multi-thread\", \"macros\"] }\n\
                serde = { version = \"1\", features = [\"derive\"] }\n";
    let with_ccgw = project(scratch, "on-ccgw", &on_ccgw, CCGW_MAIN)?;
    let with_reqwest = project(scratch, "on-reqwest", bare, BARE_MAIN)?;
    // The bare client first: a cache warmed by it would only favour ccgw's side less.
    let bare_secs = build(&with_reqwest)?;
    let ccgw_secs = build(&with_ccgw)?;
    println!("cold debug build, one run on this machine:");
    println!("  bare client on reqwest 0.13 (default features), tokio, serde: {bare_secs:.1} s");
    println!("  the same program on ccgw (default features), tokio:           {ccgw_secs:.1} s");
    println!("  ratio ccgw / bare: {:.2}", ccgw_secs / bare_secs);
    Ok(())
}

fn project(
    scratch: &Path,
    name: &str,
    deps: &str,
    main: &str,
) -> Result<std::path::PathBuf, String> {
    let dir = scratch.join(name);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n{deps}\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/main.rs"), main).map_err(|e| e.to_string())?;
    // Sources are fetched before the clock starts: the figure is the build alone.
    run(&dir, &["fetch"])?;
    Ok(dir)
}

/// Seconds of a cold `cargo build` of the project in `dir`.
fn build(dir: &Path) -> Result<f64, String> {
    let started = Instant::now();
    run(dir, &["build", "--offline", "--quiet"])?;
    Ok(started.elapsed().as_secs_f64())
}

fn run(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new(crate::cargo())
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo {} in {} failed: {status}",
            args.join(" "),
            dir.display()
        ))
    }
}
