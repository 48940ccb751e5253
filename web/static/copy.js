// A "Copy" button beside each value a presenter types into their streaming software (the
// go-live card's server, port, mount and user name: `.go-live dl.settings dd > code`).
// The buttons are real <button>s, so Tab and Enter work; what was copied is said in a
// polite live region. Without the asynchronous clipboard (a page served over plain http),
// the value is selected and copied the older way.
(function () {
  "use strict";

  function copyText(text, code) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const done = document.execCommand("copy");
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.querySelectorAll(".go-live dl.settings").forEach((list) => {
    const status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.dataset.copied = "";
    list.after(status);
    list.querySelectorAll("dd > code").forEach((code) => {
      const dd = code.parentElement;
      const dt = dd.previousElementSibling;
      const what = (dt ? dt.textContent : "value").trim().toLowerCase();
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the " + what);
      button.addEventListener("click", () => {
        const text = code.textContent.trim();
        copyText(text, code).then(
          () => { status.textContent = "Copied the " + what + ": " + text; },
          () => { status.textContent = "Could not copy; select the " + what + " and copy it by hand."; },
        );
      });
      dd.classList.add("copyable");
      dd.appendChild(button);
    });
  });
})();
