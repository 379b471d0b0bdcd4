// Hearth media client: speaks the signaling protocol of sfu/PROTOCOL.md over
// one WebSocket and one RTCPeerConnection. The server always offers; this
// client answers, attaching the microphone and the camera to the server's
// two receive slots. Muting and the camera switch use replaceTrack, so they
// never renegotiate and a muted microphone sends nothing.
//
// Usage:
//   const c = connect({ url, room, name, auth, stream, videoCodec });
//     // videoCodec (optional): "VP8", "VP9" or "H264" to publish the camera
//     // in that codec (the server offers it first); default VP8
//   c.on("joined", (msg) => ...);      // {id, name, participants, iceServers}
//   c.on("track", ({ id, kind, stream }) => ...);  // id: the publisher
//   c.on("participant", (msg) => ...); // {event, participant}
//   c.on("speaking", ({ id, on }) => ...);
//   c.on("message", (msg) => ...);     // any message type this file does not handle
//   c.on("error", (msg) => ...); c.on("close", ({ code, reason }) => ...);
//   c.on("reconnecting", ...); c.on("reconnected", ...);
//   c.on("rejoined", (msg) => ...);  // joined afresh on another node: a new id, everyone listed again
//   c.mute({ audio, video }); await c.setCamera(on); c.selectVideo([ids]);
//   c.videoSize(id, height);            // how tall a video is shown ("" : all)
//   c.send(msg); c.leave();

const RESUME_WINDOW_MS = 30000;
// Close code of a server that does not run the room (sfu/PROTOCOL.md,
// Several nodes): connect again where its redirect said, else to the
// address the page gave.
const CLOSE_MOVED = 4005;
const CLOSE_WAITING = 4006; // a chair moved us back to the waiting room: join again and wait
const CLOSE_REFUSED = 4001;
const MAX_HOPS = 5;

// Simulcast layers the server offers to receive (sfu/PROTOCOL.md, Media):
// rid -> resolution divisor and bitrate cap.
const LAYERS = {
  q: { scaleResolutionDownBy: 4, maxBitrate: 150000 },
  h: { scaleResolutionDownBy: 2, maxBitrate: 500000 },
  f: { scaleResolutionDownBy: 1, maxBitrate: 1500000 },
};

export function connect(opts) {
  const c = new RTCClient(opts);
  c.open();
  return c;
}

export class RTCClient {
  constructor({ url, room, name, auth, stream, videoCodec, receive }) {
    this.videoCodec = videoCodec || "";
    this.receive = receive || "all"; // the video this member wants: all, speaker or none
    this.url = url;
    this.home = url; // the page's own node (or balancer): it knows where the room runs
    this.owner = url; // the node we joined at
    this.next = ""; // where a redirect sends us
    this.hops = 0; // redirects since the last joined
    this.retries = 0; // reconnects since the connection was lost
    this.rejoin = false; // the resume was refused: join afresh
    this.room = room;
    this.name = name;
    this.auth = auth;
    this.localStream = stream || new MediaStream();
    this.handlers = new Map();
    this.id = "";
    this.resume = "";
    this.pc = null;
    this.ws = null;
    this.slots = null; // {audio, video} transceivers the server receives on
    this.state = { audio: true, video: true };
    this.closed = false;
    this.streams = new Map(); // publisher id -> MediaStream
    this.lostAt = 0;
  }

  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(fn);
    return this;
  }

  emit(event, data) {
    for (const fn of this.handlers.get(event) || []) {
      try { fn(data); } catch (e) { console.error(e); }
    }
  }

  get micTrack() { return this.localStream.getAudioTracks()[0] || null; }
  /** Asks the server for all video, the speaker's only, or none (kept across reconnects). */
  setReceive(mode) {
    this.receive = mode;
    this.send({ type: "receive-video", mode });
  }

  /**
   * Keeps (or, with "", drops) the host key every later join carries, as
   * one typed at join: in memory only, so that a chair joins the room's new
   * node as chair after a failover.
   */
  keepHostKey(key) {
    const auth = { ...this.auth };
    if (key) auth.hostKey = key;
    else delete auth.hostKey;
    this.auth = auth;
  }

  get camTrack() { return this.localStream.getVideoTracks()[0] || null; }

  open() {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      const join = { type: "join", room: this.room, name: this.name };
      if (this.auth) join.auth = this.auth;
      if (this.videoCodec) join.videoCodec = this.videoCodec;
      if (this.resume) join.resume = this.resume;
      if (this.receive !== "all") join.receive = this.receive;
      this.send(join);
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      this.handle(msg).catch((e) => this.emit("error", { code: "client", message: String(e) }));
    };
    ws.onclose = (ev) => this.onSocketClose(ev);
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  async handle(msg) {
    switch (msg.type) {
      case "joined": return this.onJoined(msg);
      case "offer": return this.onOffer(msg.sdp);
      case "candidate":
        if (this.pc && msg.candidate) await this.pc.addIceCandidate(msg.candidate).catch(() => {});
        return;
      case "participant":
        if (msg.event === "left") this.streams.delete(msg.participant.id);
        this.emit("participant", msg);
        return;
      case "speakers":
        for (const id of msg.on || []) this.emit("speaking", { id, on: true });
        for (const id of msg.off || []) this.emit("speaking", { id, on: false });
        return;
      case "redirect":
        if (typeof msg.url === "string" && /^wss?:\/\//.test(msg.url)) this.next = msg.url;
        return;
      case "error":
        // A node that took over a room after its node died has no session
        // to resume: the member joins again there.
        if (msg.code === "bad-resume" && this.lostAt) { this.rejoin = true; return; }
        this.emit("error", msg);
        return;
      default: this.emit("message", msg);
    }
  }

  onJoined(msg) {
    const resumed = !!this.resume && this.id === msg.id;
    const again = !!this.id && !resumed;
    this.lostAt = 0;
    this.hops = 0;
    this.retries = 0;
    this.owner = this.url;
    this.id = msg.id;
    this.resume = msg.resume || "";
    // A resumed session keeps its PeerConnection: the server follows with
    // an ICE-restart offer.
    if (!resumed || !this.pc) this.newPeerConnection(msg.iceServers || []);
    this.emit(resumed ? "reconnected" : again ? "rejoined" : "joined", msg);
  }

  newPeerConnection(iceServers) {
    if (this.pc) this.pc.close();
    this.slots = null;
    const pc = new RTCPeerConnection({ iceServers });
    this.pc = pc;
    pc.onicecandidate = (ev) => {
      if (ev.candidate) this.send({ type: "candidate", candidate: ev.candidate.toJSON() });
    };
    pc.ontrack = (ev) => {
      const id = ev.streams[0] ? ev.streams[0].id : "";
      let s = this.streams.get(id);
      if (!s) { s = new MediaStream(); this.streams.set(id, s); }
      for (const t of s.getTracks()) if (t.kind === ev.track.kind) s.removeTrack(t);
      s.addTrack(ev.track);
      this.emit("track", { id, kind: ev.track.kind, stream: s, track: ev.track });
    };
  }

  async onOffer(sdp) {
    const pc = this.pc;
    await pc.setRemoteDescription({ type: "offer", sdp });
    if (!this.slots) await this.attachSlots();
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.send({ type: "answer", sdp: answer.sdp });
  }

  // The server's first two m-lines (mid 0 audio, mid 1 video) receive our
  // media. They stay "sendonly" for the whole call; a null track sends nothing.
  async attachSlots() {
    const trs = this.pc.getTransceivers();
    const audio = trs.find((t) => t.mid === "0");
    const video = trs.find((t) => t.mid === "1");
    this.slots = { audio, video };
    for (const [tr, track, on] of [[audio, this.micTrack, this.state.audio], [video, this.camTrack, this.state.video]]) {
      if (!tr) continue;
      tr.direction = "sendonly";
      if (tr === video) {
        this.preferCodec(tr);
        await this.simulcast(tr.sender);
      }
      await tr.sender.replaceTrack(on ? track : null);
    }
    this.send({ type: "mute", audio: this.state.audio && !!this.micTrack, video: this.state.video && !!this.camTrack });
  }

  // Puts the chosen video codec first on the camera's slot; the others
  // stay as fallbacks.
  preferCodec(tr) {
    if (!this.videoCodec || !tr.setCodecPreferences || !window.RTCRtpReceiver.getCapabilities) return;
    const want = "video/" + this.videoCodec.toLowerCase();
    const all = RTCRtpReceiver.getCapabilities("video").codecs;
    const first = all.filter((c) => c.mimeType.toLowerCase() === want);
    if (!first.length) return;
    try {
      tr.setCodecPreferences([...first, ...all.filter((c) => c.mimeType.toLowerCase() !== want)]);
    } catch (e) { console.warn("codec preferences", e); }
  }

  // The offer's "a=simulcast:recv q;h;f" gave the camera's sender one
  // encoding per rid (the answerer's sendEncodings); scale them 4/2/1.
  // A browser that ignores the offer's rids sends one stream, also fine.
  async simulcast(sender) {
    const p = sender.getParameters();
    if (!p.encodings || p.encodings.length < 2) return;
    for (const e of p.encodings) Object.assign(e, LAYERS[e.rid] || {});
    await sender.setParameters(p).catch((e) => console.warn("simulcast", e));
  }

  /** Says how tall a participant's video is shown (id "" : every video;
   * height 0: no preference), so the server sends the layer that fits. */
  videoSize(id, height) {
    this.send({ type: "video-size", id: id || "", height: Math.max(0, Math.round(height || 0)) });
  }

  /** Turns the microphone and camera on or off without renegotiating. */
  mute({ audio, video }) {
    this.state = { audio: !!audio, video: !!video };
    if (this.slots) {
      if (this.slots.audio) this.slots.audio.sender.replaceTrack(audio ? this.micTrack : null);
      if (this.slots.video) this.slots.video.sender.replaceTrack(video ? this.camTrack : null);
    }
    this.send({ type: "mute", audio: this.state.audio && !!this.micTrack, video: this.state.video && !!this.camTrack });
  }

  /** Asks for these participants' video first (empty: latest speakers). */
  selectVideo(ids) {
    this.send({ type: "select", ids });
  }

  /** Starts (asking for the camera if needed) or stops the camera. */
  async setCamera(on) {
    if (on && !this.camTrack) {
      const s = await navigator.mediaDevices.getUserMedia({ video: true });
      this.localStream.addTrack(s.getVideoTracks()[0]);
    }
    if (!on && this.camTrack) {
      const t = this.camTrack;
      this.localStream.removeTrack(t);
      t.stop(); // the camera light goes off
    }
    this.mute({ audio: this.state.audio, video: on });
  }

  leave() {
    this.closed = true;
    this.send({ type: "leave" });
    this.shutdown();
  }

  shutdown() {
    if (this.pc) this.pc.close();
    this.pc = null;
    if (this.ws) this.ws.close(1000);
  }

  // A dropped socket (not a close the server chose) is retried with the
  // resume token for up to RESUME_WINDOW_MS; the others never see us leave.
  onSocketClose(ev) {
    if (!this.closed && this.follow(ev.code)) return;
    // A close frame the server chose ends the session; a dropped connection
    // (1006) is resumed.
    const chosen = ev.code !== 1006;
    if (this.closed || chosen || !this.resume) {
      this.closed = true;
      if (this.pc) this.pc.close();
      this.emit("close", { code: ev.code, reason: ev.reason });
      return;
    }
    if (!this.lostAt) {
      this.lostAt = Date.now();
      this.emit("reconnecting", {});
    }
    if (Date.now() - this.lostAt > RESUME_WINDOW_MS) {
      this.closed = true;
      this.emit("close", { code: ev.code, reason: "lost" });
      return;
    }
    // Every other try goes to the page's node: if the room's node died,
    // another takes the room over and that one knows which.
    this.url = this.retries++ % 2 ? this.home : this.owner;
    this.hops = 0;
    setTimeout(() => { if (!this.closed) this.open(); }, 1000);
  }

  // follow reconnects at once after a redirect, a room moved away, a
  // refused resume or a move back to the waiting room, and reports whether
  // it did.
  follow(code) {
    if (code === CLOSE_REFUSED && this.rejoin) {
      this.rejoin = false;
      this.resume = "";
    } else if (code === CLOSE_WAITING) {
      // The session is over: nothing of the room reaches us until a chair
      // admits the new join, which then starts afresh ("rejoined").
      this.resume = "";
      this.lostAt = 0;
      if (this.pc) this.pc.close();
      this.pc = null;
      this.streams.clear();
    } else if (code === CLOSE_MOVED && this.hops < MAX_HOPS) {
      this.hops++;
      this.url = this.next || this.home;
      this.next = "";
      if (!this.lostAt && this.id) this.lostAt = Date.now();
      if (this.id) this.emit("reconnecting", {});
    } else {
      return false;
    }
    setTimeout(() => { if (!this.closed) this.open(); }, this.hops > 1 ? 500 : 0);
    return true;
  }
}
