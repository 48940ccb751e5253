// Resumable episode upload (tus 1.0 protocol) with a progress bar.
// The element [data-upload] carries: data-endpoint (where uploads are created),
// data-metadata (JSON, sent as Upload-Metadata), data-csrf (sent as X-CSRFToken),
// data-max (bytes) and data-status-url (polled after the upload until analysis is done).
// An interrupted upload resumes: the upload's address is kept in localStorage for the
// same file and slot, and the server says how much it already has (HEAD, Upload-Offset).
// The last chunk's request answers once the station has checked the file; meanwhile the
// upload's state (GET) says how far the check got, shown on the same bar. A recording made
// on the page (recorder.js) arrives as an "upload-file" event carrying the File.
(function () {
  "use strict";
  const CHUNK = 8 * 1024 * 1024;
  const RETRIES = [1000, 3000, 5000, 10000, 20000];

  function b64(text) {
    return btoa(unescape(encodeURIComponent(String(text))));
  }

  function request(method, url, headers, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("network"));
      xhr.send(body || null);
    });
  }

  function problemText(xhr) {
    try {
      const body = JSON.parse(xhr.responseText);
      return body.detail || body.title || "The upload was refused.";
    } catch (e) {
      return "The upload was refused (" + xhr.status + ").";
    }
  }

  function setup(box) {
    const input = box.querySelector("input[type=file]");
    const start = box.querySelector("[data-upload-start]");
    const bar = box.querySelector("progress");
    const message = box.querySelector("[data-upload-message]");
    const meta = JSON.parse(box.dataset.metadata || "{}");
    const base = {"Tus-Resumable": "1.0.0", "X-CSRFToken": box.dataset.csrf};
    let busy = false;

    function say(text) { message.textContent = text; }
    function show(done, total) {
      bar.hidden = false;
      bar.max = total;
      bar.value = done;
      const pct = total ? Math.floor((done * 100) / total) : 0;
      say(pct + "% uploaded (" + (done / 1048576).toFixed(1) + " of " + (total / 1048576).toFixed(1) + " MB)");
    }

    async function offsetOf(url) {
      const xhr = await request("HEAD", url, base);
      if (xhr.status >= 200 && xhr.status < 300) return parseInt(xhr.getResponseHeader("Upload-Offset") || "0", 10);
      return null;
    }

    async function create(file) {
      const pairs = Object.entries(Object.assign({}, meta, {filename: file.name, filetype: file.type || ""}))
        .map(([k, v]) => k + " " + b64(v));
      const xhr = await request("POST", box.dataset.endpoint, Object.assign({}, base, {
        "Upload-Length": String(file.size), "Upload-Metadata": pairs.join(","),
      }));
      if (xhr.status !== 201) throw new Error(problemText(xhr));
      return new URL(xhr.getResponseHeader("Location"), window.location.href).toString();
    }

    // While the station checks the complete file: poll the upload's state and show how far
    // the check got (the bar restarts for it), or the time it has taken so far.
    function watchCheck(url) {
      const began = Date.now();
      let stopped = false;
      bar.removeAttribute("value");
      say("Uploaded. Checking the file (length, loudness, silence)…");
      (async () => {
        while (!stopped) {
          await new Promise((r) => setTimeout(r, 1000));
          if (stopped) return;
          const xhr = await request("GET", url, Object.assign({}, base, {"Accept": "application/json"})).catch(() => null);
          if (stopped || !xhr || xhr.status !== 200) continue;
          let body = null;
          try { body = JSON.parse(xhr.responseText); } catch (e) { continue; }
          const checked = body.checked;
          const waited = Math.round((Date.now() - began) / 1000);
          if (checked && checked.of) {
            const pct = Math.min(99, Math.floor((checked.seconds * 100) / checked.of));
            bar.max = 100; bar.value = pct;
            say("Uploaded. Checking the file: " + pct + "% checked (length, loudness, silence)…");
          } else if (checked) {
            bar.removeAttribute("value");
            say("Uploaded. Checking the file: " + Math.floor(checked.seconds / 60) + " min " + Math.floor(checked.seconds % 60) + " s of audio checked so far…");
          } else {
            say("Uploaded. Checking the file (length, loudness, silence)… " + waited + " s");
          }
        }
      })();
      return () => { stopped = true; };
    }

    async function send(file) {
      const key = "upload:" + (meta.occurrence_id || "") + ":" + file.name + ":" + file.size + ":" + file.lastModified;
      let url = localStorage.getItem(key);
      let offset = url ? await offsetOf(url).catch(() => null) : null;
      if (offset === null) {
        url = await create(file);
        localStorage.setItem(key, url);
        offset = 0;
      } else if (offset > 0) {
        say("Carrying on from where the upload stopped…");
      }
      let tries = 0;
      while (offset < file.size) {
        const chunk = file.slice(offset, Math.min(offset + CHUNK, file.size));
        const last = offset + chunk.size >= file.size;
        let unwatch = null;
        try {
          const xhr = await request("PATCH", url, Object.assign({}, base, {
            "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream",
          }), chunk, (sent) => {
            show(offset + sent, file.size);
            if (last && sent >= chunk.size && !unwatch) unwatch = watchCheck(url);
          }).finally(() => { if (unwatch) unwatch(); });
          if (xhr.status === 204 || xhr.status === 200) {
            offset = parseInt(xhr.getResponseHeader("Upload-Offset") || String(offset + chunk.size), 10);
            if (!unwatch) show(offset, file.size);
            tries = 0;
            continue;
          }
          if (xhr.status === 409) { offset = await offsetOf(url); continue; }
          if (xhr.status >= 400 && xhr.status < 500) { localStorage.removeItem(key); throw new Error(problemText(xhr)); }
          throw new Error("server");
        } catch (err) {
          if (err.message !== "network" && err.message !== "server") throw err;
          if (tries >= RETRIES.length) throw new Error("The connection keeps dropping. Choose the file again later and the upload carries on.");
          say("Connection lost; trying again…");
          await new Promise((r) => setTimeout(r, RETRIES[tries++]));
          offset = (await offsetOf(url).catch(() => null)) ?? offset;
        }
      }
      localStorage.removeItem(key);
    }

    async function waitForAnalysis() {
      const url = box.dataset.statusUrl;
      say("Uploaded. Checking the file (length, loudness, silence)…");
      for (let i = 0; i < 600; i++) {
        await new Promise((r) => setTimeout(r, 1500));
        if (url) {
          const xhr = await request("GET", url, {"Accept": "application/json"}).catch(() => null);
          if (!xhr || xhr.status !== 200) continue;
          const body = JSON.parse(xhr.responseText);
          if (body.state === "analysing" || body.state === "uploading") continue;
        }
        window.location.reload();
        return;
      }
    }

    async function run(file) {
      if (busy) return;
      if (box.dataset.max && file.size > Number(box.dataset.max)) {
        say("This file is too large: the limit is " + (Number(box.dataset.max) / 1073741824).toFixed(1) + " GB.");
        return;
      }
      busy = true; start.disabled = true;
      try {
        await send(file);
        bar.value = bar.max;
        await waitForAnalysis();
      } catch (err) {
        say(err.message);
      } finally {
        busy = false; start.disabled = false;
      }
    }

    start.addEventListener("click", () => {
      const file = input.files && input.files[0];
      if (!file) { say("Choose the episode's audio file first."); input.focus(); return; }
      run(file);
    });
    box.addEventListener("upload-file", (e) => run(e.detail));
  }

  document.querySelectorAll("[data-upload]").forEach(setup);
})();
