//! The yardstick for `G`: a plain keep-alive HTTP client walking a Kratos identity list by
//! its `Link: rel="next"` headers, doing nothing with the rows but counting them.
//!
//! `cargo run --release --example walk_http -- http://127.0.0.1:4455 500`
//! prints `rows=N pages=P seconds=S`.

use std::time::Instant;

use idtui::api::{parse_link_header, resolve_link};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:4455".into());
    let size: u32 = args.next().map_or(Ok(500), |s| s.parse())?;
    let base = reqwest::Url::parse(&base)?;
    let client = reqwest::Client::builder().build()?;
    let mut url = base.join(&format!("admin/identities?page_size={size}"))?;
    let (mut rows, mut pages) = (0usize, 0usize);
    let started = Instant::now();
    loop {
        let resp = client.get(url.clone()).send().await?.error_for_status()?;
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| parse_link_header(h).into_iter().find(|l| l.rel == "next"))
            .and_then(|l| resolve_link(&base, &l.target));
        let body = resp.bytes().await?;
        // Count the records without building them: the server's share is the point.
        let items: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&body)?;
        pages += 1;
        rows += items.len();
        match next {
            Some(n) if !items.is_empty() => url = n,
            _ => break,
        }
    }
    println!(
        "rows={rows} pages={pages} seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
