//! The client's address, which the login limits and every audit event use.
//!
//! Behind a reverse proxy every request's TCP peer is the proxy, so all users would share
//! one address. `TRUSTED_PROXIES` lists the proxies' networks (CIDRs): when the peer is in
//! one, the client is the right-most address of `X-Forwarded-For` (else of `Forwarded:
//! for=`) that is not itself a trusted proxy; entries to its left were written by the
//! client and are never believed. A peer outside them is the client, whatever it sends.
//! A malformed header falls back to the peer.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

/// A client as rate limits count it: an IPv4 address, or the /64 an IPv6 address is in
/// (one subscriber holds all of it; an IPv4 address written as IPv6 counts as the IPv4
/// one). Anything else is counted as given.
pub fn client_key(client_address: &str) -> String {
    match client_address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{}/64", std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => client_address.to_owned(),
    }
}

/// The proxies whose forwarding headers are believed (app data; empty trusts none).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of CIDRs (a bare address is a /32 or /128).
    pub fn parse(raw: &[String]) -> Result<Self, String> {
        raw.iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not a CIDR such as 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of a request that reached us from `peer` with `headers`.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_for(headers).or_else(|| forwarded(headers));
        let Some(chain) = chain else {
            return peer;
        };
        chain
            .iter()
            .rev()
            .find(|address| !self.trusts(**address))
            .or(chain.first())
            .copied()
            .unwrap_or(peer)
    }
}

/// The addresses of every `X-Forwarded-For` header, in order; `None` when absent or when
/// any entry is not an address.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<IpAddr>> {
    let mut chain = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        for entry in value.to_str().ok()?.split(',') {
            chain.push(parse_node(entry.trim())?);
        }
    }
    (!chain.is_empty()).then_some(chain)
}

/// The `for=` addresses of RFC 7239 `Forwarded` headers, in order.
fn forwarded(headers: &HeaderMap) -> Option<Vec<IpAddr>> {
    let mut chain = Vec::new();
    for value in headers.get_all("forwarded") {
        for element in value.to_str().ok()?.split(',') {
            let node = element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for").then_some(value)
            })?;
            chain.push(parse_node(node.trim().trim_matches('"'))?);
        }
    }
    (!chain.is_empty()).then_some(chain)
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = node.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok()
}

/// The client's address: the TCP peer, or the address a trusted proxy forwarded for.
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|addr| addr.ip()) else {
        return "unknown".to_owned();
    };
    match req.app_data::<actix_web::web::Data<TrustedProxies>>() {
        Some(trusted) => trusted.client_of(peer, req.headers()).to_string(),
        None => peer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::parse(&["10.0.0.0/8".into(), "2001:db8::1".into()]).unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies().client_of(ip("198.51.100.7"), &forged),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(
            proxies().client_of(ip("10.0.0.2"), &chain),
            ip("203.0.113.9")
        );
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            proxies().client_of(ip("10.0.0.2"), &split),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let rfc = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"",
        )]);
        assert_eq!(
            proxies().client_of(ip("2001:db8::1"), &rfc),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn a_malformed_header_falls_back_to_the_peer() {
        for bad in ["not-an-ip", "1.2.3.4, ,", "999.1.1.1", ""] {
            let map = headers(&[("x-forwarded-for", bad)]);
            assert_eq!(
                proxies().client_of(ip("10.0.0.2"), &map),
                ip("10.0.0.2"),
                "{bad:?}"
            );
        }
        assert_eq!(
            proxies().client_of(ip("10.0.0.2"), &headers(&[])),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn a_chain_of_only_trusted_proxies_names_its_first_address() {
        let chain = headers(&[("x-forwarded-for", "10.9.9.9, 10.1.1.1")]);
        assert_eq!(proxies().client_of(ip("10.0.0.2"), &chain), ip("10.9.9.9"));
    }

    #[test]
    fn an_entry_that_is_not_a_cidr_is_a_configuration_error() {
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
        assert!(TrustedProxies::parse(&["proxy.internal".into()]).is_err());
    }
}
