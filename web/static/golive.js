// Going live from the browser, and the live status on the go-live page and the dashboard.
//
// [data-live-status] (data-live-status = the status URL) is polled every 2 s; its message
// is in a role=status region, changed only when the words change, so screen readers
// announce each change once.
//
// [data-go-live] carries data-token-url (POST: a short-lived go-live token and the harbor's
// WebSocket address) and data-csrf. The page streams the microphone to Liquidsoap's harbor
// with the webcast protocol: a WebSocket with the "webcast" subprotocol, a "hello" text frame
// ({mime, user, password}), then the MediaRecorder's WebM/Opus chunks as binary frames.
(function () {
  "use strict";
  const POLL_MS = 2000;
  const CHUNK_MS = 250;
  const RETRY_MS = 3000;

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function dbText(db) {
    return db === null ? "silence" : db.toFixed(0) + " dB";
  }

  function watchStatus(box) {
    const url = box.getAttribute("data-live-status");
    const message = box.querySelector("[data-live-message]");
    const detail = box.querySelector("[data-live-detail]");
    const levelRow = box.querySelector("[data-live-level-row]");
    const level = box.querySelector("[data-live-level]");
    const levelText = box.querySelector("[data-live-level-text]");
    async function poll() {
      try {
        const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (answer.ok) {
          const status = await answer.json();
          box.setAttribute("data-state", status.state);
          setText(message, status.message);
          setText(detail, status.detail);
          const connected = status.state === "connected" || status.state === "on_air";
          if (levelRow) levelRow.hidden = !connected;
          if (level && connected) {
            level.value = status.level_db === null ? -60 : Math.max(-60, status.level_db);
            setText(levelText, dbText(status.level_db));
          }
        }
      } catch (e) {
        setText(message, "The station's site cannot be reached; retrying.");
      }
      setTimeout(poll, POLL_MS);
    }
    poll();
  }

  function goLive(box) {
    const micStart = box.querySelector("[data-mic-start]");
    const choice = box.querySelector("[data-mic-choice]");
    const meter = box.querySelector("[data-mic-level]");
    const meterText = box.querySelector("[data-mic-level-text]");
    const start = box.querySelector("[data-go-live-start]");
    const stop = box.querySelector("[data-go-live-stop]");
    const say = box.querySelector("[data-go-live-message]");
    let stream = null;
    let audio = null;
    let socket = null;
    let recorder = null;
    let wanted = false; // the presenter asked to be live (reconnect after a drop)

    function showLevel(analyser) {
      const data = new Float32Array(analyser.fftSize);
      function frame() {
        analyser.getFloatTimeDomainData(data);
        let sum = 0;
        for (const v of data) sum += v * v;
        const rms = Math.sqrt(sum / data.length);
        const db = rms > 1e-5 ? 20 * Math.log10(rms) : null;
        meter.value = db === null ? -60 : Math.max(-60, db);
        setText(meterText, dbText(db));
        requestAnimationFrame(frame);
      }
      frame();
    }

    async function useMicrophone(deviceId) {
      const audioWanted = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
      if (deviceId) audioWanted.deviceId = { exact: deviceId };
      try {
        const next = await navigator.mediaDevices.getUserMedia({ audio: audioWanted });
        if (stream) stream.getTracks().forEach((t) => t.stop());
        stream = next;
      } catch (e) {
        setText(say, "The browser did not give the page your microphone: allow it in the address bar, then press “Use my microphone” again.");
        return;
      }
      if (!audio) audio = new AudioContext();
      const analyser = audio.createAnalyser();
      analyser.fftSize = 2048;
      audio.createMediaStreamSource(stream).connect(analyser);
      showLevel(analyser);
      const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "audioinput");
      const current = stream.getAudioTracks()[0].getSettings().deviceId;
      choice.replaceChildren(...devices.map((d, i) => new Option(d.label || "Microphone " + (i + 1), d.deviceId, false, d.deviceId === current)));
      choice.disabled = false;
      start.disabled = wanted;
      setText(say, "");
    }

    async function token() {
      const answer = await fetch(box.getAttribute("data-token-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
      });
      const body = await answer.json().catch(() => ({}));
      if (!answer.ok) throw new Error(body.detail || body.title || "The station refused to let you go live.");
      return body;
    }

    async function connect() {
      let access;
      try {
        access = await token();
      } catch (e) {
        wanted = false;
        setText(say, e.message);
        start.disabled = false;
        stop.disabled = true;
        return;
      }
      const mime = MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? "audio/webm;codecs=opus" : "";
      recorder = new MediaRecorder(stream, mime ? { mimeType: mime, audioBitsPerSecond: 128000 } : {});
      socket = new WebSocket(access.url, "webcast");
      const mine = socket;
      socket.onopen = () => {
        mine.send(JSON.stringify({ type: "hello", data: { mime: recorder.mimeType, user: access.user, password: access.password } }));
        recorder.ondataavailable = (e) => {
          if (mine.readyState === WebSocket.OPEN && e.data.size) mine.send(e.data);
        };
        recorder.start(CHUNK_MS);
        setText(say, "");
      };
      socket.onclose = () => {
        if (recorder && recorder.state !== "inactive") recorder.stop();
        if (mine !== socket) return;
        socket = null;
        if (wanted) {
          setText(say, "The connection to the station closed; trying again…");
          setTimeout(() => { if (wanted && !socket) connect(); }, RETRY_MS);
        }
      };
    }

    micStart.addEventListener("click", () => useMicrophone(""));
    choice.addEventListener("change", () => useMicrophone(choice.value));
    start.addEventListener("click", () => {
      if (!stream) return;
      wanted = true;
      start.disabled = true;
      stop.disabled = false;
      connect();
    });
    stop.addEventListener("click", () => {
      wanted = false;
      stop.disabled = true;
      start.disabled = false;
      if (socket) socket.close();
      setText(say, "You have disconnected.");
    });
  }

  document.querySelectorAll("[data-live-status]").forEach(watchStatus);
  document.querySelectorAll("[data-go-live]").forEach(goLive);
})();
