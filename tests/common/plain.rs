//! A plain keep-alive HTTP client walking the Kratos identities by their `Link` next pages,
//! with none of idtui's client: what the dashboard's walks are measured and checked against.

use reqwest::Url;

/// Every page body of `admin/identities` at `size` a page, handed to `each` in order (it
/// returns how many records the page held; an empty page ends the walk).
pub async fn kratos_pages(base: &str, size: u32, mut each: impl FnMut(&[u8]) -> usize) {
    let base = Url::parse(base).unwrap();
    let client = reqwest::Client::new();
    let mut url = base
        .join(&format!("admin/identities?page_size={size}"))
        .unwrap();
    loop {
        let resp = client.get(url.clone()).send().await.unwrap();
        let next = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .and_then(|h| {
                idtui::api::parse_link_header(h)
                    .into_iter()
                    .find(|l| l.rel == "next")
            })
            .and_then(|l| idtui::api::resolve_link(&base, &l.target));
        let held = each(&resp.bytes().await.unwrap());
        match next {
            Some(n) if held > 0 => url = n,
            _ => return,
        }
    }
}
