//! One SSH connection: public-key authentication against the authorized keys, then one
//! session channel with a pty that runs a dashboard. Everything else a client can ask for
//! (a command, a subsystem such as sftp, forwarding, X11, the agent, a second channel) is
//! refused and logged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use russh::keys::{HashAlg, PublicKey};
use russh::server::{Auth, Handler, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet, Pty};

use super::channel_io::InputParser;
use super::keys::Grant;
use super::session::{self, Live, Shared, TermInfo};

pub struct Connection {
    shared: Arc<Shared>,
    peer: SocketAddr,
    grant: Option<Grant>,
    /// Set once a key is accepted; the login grace timer reads it.
    pub authed: Arc<AtomicBool>,
    channel: Option<ChannelId>,
    term: Option<TermInfo>,
    no_color: bool,
    live: Option<Live>,
    parser: InputParser,
    /// The client asked which methods there are (`none`). One that then leaves without
    /// trying any (a password-only client: public keys are all this server lists, so
    /// OpenSSH gives up without sending a password) would leave no trace in the log; it is
    /// logged as a refusal when the connection goes.
    asked_methods: bool,
    /// A refused authentication was logged for this connection.
    refused_auth: bool,
}

impl Connection {
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Connection {
        Connection {
            shared,
            peer,
            grant: None,
            authed: Arc::new(AtomicBool::new(false)),
            channel: None,
            term: None,
            no_color: false,
            live: None,
            parser: InputParser::default(),
            asked_methods: false,
            refused_auth: false,
        }
    }

    fn who(&self) -> String {
        match &self.grant {
            Some(g) => format!("{} ({})", g.name, g.fingerprint),
            None => "unauthenticated".into(),
        }
    }

    /// Refuse something the client asked for: logged with who and from where.
    fn refused(&self, what: &str) {
        tracing::warn!(peer = %self.peer, who = %self.who(), %what, "refused");
    }

    /// A refused authentication, logged. The address's failed logins are counted once
    /// per connection that never got in (see `Drop`), not per key tried: a client offers
    /// every key its agent holds, and an admin whose right key comes fourth must not be
    /// turned away after a few connections.
    fn failed_auth(&mut self, why: &str) {
        self.refused_auth = true;
        tracing::warn!(peer = %self.peer, %why, "authentication refused");
    }
}

fn publickey_only() -> Auth {
    Auth::Reject {
        proceed_with_methods: Some(MethodSet::from(&[MethodKind::PublicKey][..])),
        partial_success: false,
    }
}

impl Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        // Every client asks this first, to learn the methods: not a failure (yet: see Drop).
        self.asked_methods = true;
        Ok(publickey_only())
    }

    async fn auth_password(&mut self, _user: &str, _password: &str) -> Result<Auth, Self::Error> {
        self.failed_auth("password (only public keys are accepted)");
        Ok(publickey_only())
    }

    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        _user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        self.failed_auth("keyboard-interactive (only public keys are accepted)");
        Ok(publickey_only())
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        key: &PublicKey,
    ) -> Result<Auth, Self::Error> {
        match self.shared.keys.lookup(key, self.peer.ip()) {
            Ok(Some(_)) => Ok(Auth::Accept),
            Ok(None) => {
                let fp = key.fingerprint(HashAlg::Sha256);
                self.failed_auth(&format!("unknown key {fp}"));
                Ok(publickey_only())
            }
            Err(e) => {
                tracing::error!(error = %e, "authorized keys unusable");
                self.failed_auth("authorized keys unusable");
                Ok(publickey_only())
            }
        }
    }

    async fn auth_publickey(&mut self, _user: &str, key: &PublicKey) -> Result<Auth, Self::Error> {
        // Looked up again: the file may have changed since the key was offered.
        match self.shared.keys.lookup(key, self.peer.ip()) {
            Ok(Some(grant)) => {
                self.grant = Some(grant);
                self.authed.store(true, Ordering::Relaxed);
                Ok(Auth::Accept)
            }
            _ => {
                self.failed_auth("key withdrawn from authorized keys");
                Ok(publickey_only())
            }
        }
    }

    async fn auth_openssh_certificate(
        &mut self,
        _user: &str,
        _certificate: &russh::keys::Certificate,
    ) -> Result<Auth, Self::Error> {
        self.failed_auth("certificate (only keys in authorized keys are accepted)");
        Ok(publickey_only())
    }

    async fn auth_succeeded(&mut self, _session: &mut Session) -> Result<(), Self::Error> {
        if let Some(g) = &self.grant {
            tracing::info!(
                peer = %self.peer,
                name = %g.name,
                fingerprint = %g.fingerprint,
                role = g.role.name(),
                "connected"
            );
        }
        Ok(())
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        if self.channel.is_some() {
            self.refused("a second session channel on one connection");
            return Ok(false);
        }
        self.channel = Some(channel.id());
        // Input arrives through `data`; the channel object itself is not read.
        drop(channel);
        Ok(true)
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.term = Some(TermInfo {
            // Only logged and compared, but a client chose it: no escape reaches the log.
            term: crate::sanitize::clean_line(&crate::sanitize::cap(term, 64)).into_owned(),
            size: session::clamp_size(col_width, row_height),
            // Taken from `self.no_color` when the shell starts: the client may send it after.
            no_color: false,
        });
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Only what changes how the screen is drawn; nothing reaches a process environment.
        if name == "NO_COLOR" {
            self.no_color = !value.is_empty();
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some(grant), Some(mut term)) = (self.grant.clone(), self.term.clone()) else {
            session.channel_success(channel)?;
            let message = "idtui needs a terminal: connect with `ssh -t`\r\n";
            session.data(channel, message.as_bytes().into())?;
            session.exit_status_request(channel, 1)?;
            session.close(channel)?;
            self.refused("a shell without a pty");
            return Ok(());
        };
        session.channel_success(channel)?;
        term.no_color = self.no_color;
        match session::start(
            Arc::clone(&self.shared),
            grant,
            self.peer,
            term,
            session.handle(),
            channel,
        ) {
            Ok(live) => self.live = Some(live),
            Err(full) => {
                self.refused(&format!("a session ({full})"));
                let message = format!("idtui: not now: {full}\r\n");
                session.data(channel, message.into_bytes().into())?;
                session.exit_status_request(channel, 1)?;
                session.close(channel)?;
            }
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let command = crate::sanitize::cap(&String::from_utf8_lossy(data), 200).into_owned();
        self.refused(&format!("exec {:?}", crate::sanitize::clean_line(&command)));
        session.channel_failure(channel)?;
        session.close(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refused(&format!(
            "subsystem {:?}",
            crate::sanitize::clean_line(name)
        ));
        session.channel_failure(channel)?;
        session.close(channel)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refused("X11 forwarding");
        session.channel_failure(channel)
    }

    async fn agent_request(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused("agent forwarding");
        Ok(false)
    }

    async fn tcpip_forward(
        &mut self,
        address: &str,
        port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused(&format!(
            "remote port forwarding ({}:{port})",
            crate::sanitize::clean_line(address)
        ));
        Ok(false)
    }

    async fn streamlocal_forward(
        &mut self,
        socket_path: &str,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused(&format!(
            "remote socket forwarding ({})",
            crate::sanitize::clean_line(socket_path)
        ));
        Ok(false)
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        host: &str,
        port: u32,
        _originator_address: &str,
        _originator_port: u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused(&format!(
            "local port forwarding (to {}:{port})",
            crate::sanitize::clean_line(host)
        ));
        Ok(false)
    }

    async fn channel_open_direct_streamlocal(
        &mut self,
        _channel: Channel<Msg>,
        socket_path: &str,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused(&format!(
            "local socket forwarding (to {})",
            crate::sanitize::clean_line(socket_path)
        ));
        Ok(false)
    }

    async fn channel_open_x11(
        &mut self,
        _channel: Channel<Msg>,
        _originator_address: &str,
        _originator_port: u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        self.refused("an X11 channel");
        Ok(false)
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (w, h) = session::clamp_size(col_width, row_height);
        if let Some(live) = &self.live {
            live.send(crossterm::event::Event::Resize(w, h)).await;
        } else if let Some(term) = &mut self.term {
            // Resized between the pty request and the shell: the dashboard starts at the
            // new size (dropped, it would be drawn at the old one until the next resize).
            term.size = (w, h);
        }
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) != self.channel {
            return Ok(());
        }
        let Some(live) = &self.live else {
            return Ok(());
        };
        live.touch();
        for event in self.parser.feed(data) {
            // Waits when the session is behind: the client's window then fills and it
            // stops sending, rather than input piling up here.
            live.send(event).await;
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) == self.channel
            && let Some(live) = &self.live
        {
            live.hang_up("the client closed its input");
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if Some(channel) == self.channel
            && let Some(live) = self.live.take()
        {
            live.hang_up("the client closed the channel");
        }
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The connection is gone (client killed, network down): its session ends and
        // writes its drafts.
        if let Some(live) = self.live.take() {
            live.hang_up("the connection dropped");
        }
        // A client that asked for the methods and left without offering a key (it had none,
        // or only a password) was refused too, and counts as a failed login.
        if self.grant.is_none() && self.asked_methods && !self.refused_auth {
            self.failed_auth("the client offered no public key (only public keys are accepted)");
        }
        if self.grant.is_none() && self.refused_auth {
            let failures = self.shared.failures.add(self.peer.ip());
            tracing::warn!(peer = %self.peer, failures, limit = self.shared.limits.auth_failures,
                "failed login from this address");
        }
    }
}
