// Record the episode in the browser: start, pause and resume, stop, listen back, then send
// the recording to the slot through the page's resumable upload ([data-upload], upload.js).
// The element [data-recorder] holds buttons marked data-rec="start|pause|stop|send|again",
// an <audio data-rec-player>, a clock [data-rec-clock] and a status line [data-rec-message].
// The browser records what MediaRecorder offers (WebM/Opus in Chromium and Firefox, MP4 in
// Safari); the station's ingest reads either with ffmpeg.
(function () {
  "use strict";
  const TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];

  function clock(ms) {
    const s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function extension(type) {
    if (type.indexOf("mp4") >= 0) return "m4a";
    if (type.indexOf("ogg") >= 0) return "ogg";
    return "webm";
  }

  function setup(box) {
    const button = (name) => box.querySelector('[data-rec="' + name + '"]');
    const start = button("start"), pause = button("pause"), stop = button("stop");
    const send = button("send"), again = button("again");
    const player = box.querySelector("[data-rec-player]");
    const shown = box.querySelector("[data-rec-clock]");
    const message = (box.closest("section") || document).querySelector("[data-rec-message]");
    const upload = document.querySelector("[data-upload]");
    let recorder = null, stream = null, chunks = [], recording = null;
    let elapsed = 0, since = 0, ticker = null;

    function say(text) { message.textContent = text; }
    function time() { return elapsed + (since ? Date.now() - since : 0); }
    function tick() { shown.textContent = clock(time()); }
    function show(which) {
      // The buttons that make sense now; the others are hidden (and so out of the tab order).
      for (const [name, el] of Object.entries({start, pause, stop, send, again})) el.hidden = which.indexOf(name) < 0;
    }

    if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser cannot record sound; record the episode in another program and upload the file below.");
      show([]);
      return;
    }
    box.hidden = false;
    show(["start"]);

    start.addEventListener("click", async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}});
      } catch (err) {
        say("The microphone could not be opened (" + (err.name || "refused") + "). Allow this site to use the microphone, then try again.");
        return;
      }
      const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";
      recorder = new MediaRecorder(stream, type ? {mimeType: type} : {});
      chunks = [];
      recorder.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
      recorder.onstop = finished;
      recorder.start(1000);
      elapsed = 0; since = Date.now();
      ticker = setInterval(tick, 250); tick();
      player.hidden = true;
      show(["pause", "stop"]);
      pause.textContent = "Pause";
      say("Recording.");
      pause.focus();
    });

    pause.addEventListener("click", () => {
      if (!recorder) return;
      if (recorder.state === "recording") {
        recorder.pause();
        elapsed = time(); since = 0; tick();
        pause.textContent = "Resume";
        say("Paused at " + clock(elapsed) + ". Press Resume to carry on recording.");
      } else if (recorder.state === "paused") {
        recorder.resume();
        since = Date.now();
        pause.textContent = "Pause";
        say("Recording.");
      }
    });

    stop.addEventListener("click", () => {
      if (!recorder || recorder.state === "inactive") return;
      elapsed = time(); since = 0;
      recorder.stop();
    });

    function finished() {
      clearInterval(ticker); tick();
      stream.getTracks().forEach((t) => t.stop());
      const type = (recorder.mimeType || chunks[0] && chunks[0].type || "audio/webm").split(";")[0];
      const blob = new Blob(chunks, {type: type});
      const stamp = new Date().toISOString().slice(0, 16).replace(":", "-");
      recording = new File([blob], "recording-" + stamp + "." + extension(type), {type: type, lastModified: Date.now()});
      if (player.src) URL.revokeObjectURL(player.src);
      player.src = URL.createObjectURL(blob);
      player.hidden = false;
      show(["send", "again"]);
      say("Recorded " + clock(elapsed) + ". Listen back below; then send it to the slot, or record again.");
      send.focus();
    }

    again.addEventListener("click", () => {
      recording = null;
      player.pause(); player.hidden = true;
      shown.textContent = "0:00";
      show(["start"]);
      say("The recording was discarded. Press Start recording when you are ready.");
      start.focus();
    });

    send.addEventListener("click", () => {
      if (!recording || !upload) return;
      say("Sending the recording (" + clock(elapsed) + ") to the slot; the progress is shown below.");
      upload.dispatchEvent(new CustomEvent("upload-file", {detail: recording}));
    });
  }

  document.querySelectorAll("[data-recorder]").forEach(setup);
})();
